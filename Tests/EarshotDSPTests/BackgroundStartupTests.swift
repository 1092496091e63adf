// The background right after a start (every `earshot analyze` file, every agent
// start): the band filters read low while they fill, and those first hops must
// not become the background for the next `riseSeconds`.
import EarshotDSP
import Foundation
import Testing

@Suite("Background at start-up")
struct BackgroundStartupTests {
    @Test("steady noise: from 1 s on, no band's SNR reads more than 2.5 dB above its settled value (was up to 30 dB for 10 s)",
          arguments: [Int32(16_000), 48_000])
    func noStartupBias(rate: Int32) {
        var rng = SplitMix64(seed: 42)
        let n = Int(rate) * 14
        // White noise at about −30 dBFS RMS.
        let signal = (0..<n).map { _ in Int16(clamping: Int((rng.gaussian() * 1_036).rounded())) }
        let frames = AnalysisChainTests.frames(signal, rate: rate)
        // Mean SNR per band over 12–14 s (settled) and the worst 0.5 s mean in 1–10 s.
        func meanSNR(_ range: Range<Int>, band: Int) -> Double {
            range.map { Double(frames[$0].bandSNR[band]) / 256 }.reduce(0, +) / Double(range.count)
        }
        var worst = 0.0
        for band in 0..<FeatureFrame.bandCount where frames[1_300].bandLevel[band] > FeatureFrame.floor {
            let settled = meanSNR(1_200..<1_400, band: band)
            for start in stride(from: 100, to: 1_000, by: 50) {
                let early = meanSNR(start..<start + 50, band: band)
                worst = max(worst, early - settled)
                // Above the settled value is the fault (sounds look louder than they are);
                // below by a few dB is minimum statistics over a span that is still short.
                // 2.5 dB: the 63 Hz band's 10 ms level (under one cycle per hop) fluctuates,
                // so its minimum differs by up to ~2 dB from one 10 s span to the next.
                #expect(early - settled < 2.5 && early - settled > -4.5,
                        "band \(band) at \(Double(start) / 100) s: mean SNR \(early) dB, settled \(settled) dB (\(rate) Hz)")
            }
        }
        print("background_startup_worst_snr_excess_db=\(worst) rate=\(rate)")
    }
}
