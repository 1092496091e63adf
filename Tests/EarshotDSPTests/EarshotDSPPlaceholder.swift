import Testing
@testable import EarshotDSP

// Placeholder so the target builds; replaced by real tests.
@Test func earshotDSPModuleLoads() { #expect(Bool(true)) }
