import ArgumentParser
import EarshotDSP

/// `earshot demo`: runs Earshot on a built-in synthetic signal, no hardware.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the analysis on a built-in synthetic signal (no hardware, no files).",
        discussion: """
            Until the detector lands this is a DSP self-demonstration: it synthesises \
            sines at known levels and prints the level the fixed-point core measures.
            """)

    func run() throws {
        let rate = 16_000
        let n = 1_600
        let offset = Decibel.dBFSOffsetQ8_8(sampleCount: n)
        print("level (dBFS)  expected  measured")
        for expected in [-6.0, -20.0, -40.0, -60.0] {
            let amplitude = 32_767.0 * DesignMath.amplitude(dB: expected) * 32_768.0 / 32_767.0
            var sum: UInt64 = 0
            for i in 0..<n {
                let s = Int64((amplitude * DesignMath.sin(2 * DesignMath.pi * 1_000 * Double(i) / Double(rate))).rounded())
                sum &+= UInt64(s * s)
            }
            let measured = Decibel.toDouble(Decibel.powerQ8_8(sum) + offset)
            print("  1 kHz sine  \(expected)     \(measured)")
        }
    }
}
