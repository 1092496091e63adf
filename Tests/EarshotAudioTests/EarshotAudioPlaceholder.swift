import Testing
@testable import EarshotAudio

// Placeholder so the target builds; replaced by real tests.
@Test func earshotAudioModuleLoads() { #expect(Bool(true)) }
