import Testing
@testable import EarshotAgent

// Placeholder so the target builds; replaced by real tests.
@Test func earshotAgentModuleLoads() { #expect(Bool(true)) }
