import Testing
@testable import EarshotSignatures

// Placeholder so the target builds; replaced by real tests.
@Test func earshotSignaturesModuleLoads() { #expect(Bool(true)) }
