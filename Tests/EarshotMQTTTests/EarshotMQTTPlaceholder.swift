import Testing
@testable import EarshotMQTT

// Placeholder so the target builds; replaced by real tests.
@Test func earshotMQTTModuleLoads() { #expect(Bool(true)) }
