import Testing
@testable import EarshotDetection

// Placeholder so the target builds; replaced by real tests.
@Test func earshotDetectionModuleLoads() { #expect(Bool(true)) }
