import Testing
@testable import EarshotGPIO

// Placeholder so the target builds; replaced by real tests.
@Test func earshotGPIOModuleLoads() { #expect(Bool(true)) }
