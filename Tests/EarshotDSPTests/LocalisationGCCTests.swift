// GCC-PHAT delays and directions on signals synthesised here with exact delays.
import Foundation
import Testing
@testable import EarshotDSP

@Suite("Localisation: GCC-PHAT and direction")
struct LocalisationGCCTests {
    static let fs = 48_000.0

    /// Pair delay measured by the localiser's own steps for two channels.
    static func pairLag(_ w: [Int16], frames n: Int) -> Double {
        let tw = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { tw.deallocate() }
        FFTTwiddles.design(size: n, into: tw)
        let t = UnsafeBufferPointer(tw)
        let ws = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 3 * n); defer { ws.deallocate() }
        let a = UnsafeMutableBufferPointer(rebasing: ws[0..<n]), b = UnsafeMutableBufferPointer(rebasing: ws[n..<(2 * n)])
        let c = UnsafeMutableBufferPointer(rebasing: ws[(2 * n)..<(3 * n)])
        let lo = Int(300 * Double(n) / fs), hi = Int(8000 * Double(n) / fs)
        w.withUnsafeBufferPointer { p in
            _ = RealFFTQ31.forward(UnsafeBufferPointer(rebasing: p[0..<n]), size: n, into: a, twiddles: t)
            _ = RealFFTQ31.forward(UnsafeBufferPointer(rebasing: p[n..<(2 * n)]), size: n, into: b, twiddles: t)
        }
        PhaseTransform.unitPhasors(a, binLow: lo, binHigh: hi)
        PhaseTransform.unitPhasors(b, binLow: lo, binHigh: hi)
        PhaseTransform.crossSpectrum(UnsafeBufferPointer(a), UnsafeBufferPointer(b), binLow: lo, binHigh: hi, into: c)
        _ = RealFFTQ31.inverse(c, size: n, twiddles: t)
        return CorrelationPeak.find(UnsafeBufferPointer(c), size: n, maxLag: 20).lag
    }

    @Test("integer delays of white noise read back exactly", arguments: [-12, -3, 0, 1, 7, 15])
    func integerDelay(d: Int) {
        let n = 2048
        var rng = SplitMix64(seed: 77)
        let src = (0..<(n + 64)).map { _ in Int16((12000 * (2 * rng.unit() - 1)).rounded()) }
        // Channel 0 lags channel 1 by d samples: x0[m] = s[m − d].
        var w = [Int16](repeating: 0, count: 2 * n)
        for m in 0..<n { w[m] = src[m + 32 - d]; w[n + m] = src[m + 32] }
        let lag = Self.pairLag(w, frames: n)
        #expect(abs(lag - Double(d)) < 0.05, "delay \(d): measured \(lag)")
    }

    @Test("fractional delays within 0.1 sample", arguments: [0.25, 2.5, -4.75, 9.4])
    func fractionalDelay(d: Double) {
        let n = 4096
        let w = LocalisationSignals.delayedTones(delays: [d / Self.fs, 0], frames: n, sampleRate: Self.fs, seed: 5)
        let lag = Self.pairLag(w, frames: n)
        #expect(abs(lag - d) < 0.1, "delay \(d): measured \(lag)")
    }

    @Test("4-mic square: azimuth within 1° at 24 directions, confidence > 0.8")
    func fourMicAzimuth() throws {
        let g = try #require(LocalisationSignals.geometry(LocalisationSignals.respeaker4))
        #expect(g.resolution == .plane)
        let n = 2048
        var worst = 0.0
        for step in 0..<24 {
            let az = Double(step) * 15 + 3
            let delays = LocalisationSignals.planeWaveDelays(positions: LocalisationSignals.respeaker4, azimuthDeg: az)
            let w = LocalisationSignals.delayedTones(delays: delays, frames: n, sampleRate: Self.fs, seed: UInt64(step + 10))
            let est = LocalisationSignals.locate(w, frames: n, geometry: g, config: LocalisationConfig(sampleRate: 48_000, fftSize: n))
            #expect(est.valid && est.pairs == 6 && est.elevationDeg == nil)
            #expect(est.confidence > 0.8, "az \(az): confidence \(est.confidence)")
            worst = max(worst, LocalisationSignals.angularError(est.azimuthDeg, az))
        }
        #expect(worst < 1.0, "worst azimuth error \(worst)°")
    }

    @Test("2-mic line: bearing folded onto the front half-plane within 2°")
    func twoMicFolded() throws {
        // ReSpeaker 2-mic HAT: mics 58 mm apart on the y axis.
        let pos: [SIMD3<Double>] = [SIMD3(0, 0.029, 0), SIMD3(0, -0.029, 0)]
        let g = try #require(LocalisationSignals.geometry(pos))
        #expect(g.resolution == .line)
        for az in [20.0, 75.0, 150.0, 250.0, 300.0] {
            let delays = LocalisationSignals.planeWaveDelays(positions: pos, azimuthDeg: az)
            let w = LocalisationSignals.delayedTones(delays: delays, frames: 4096, sampleRate: Self.fs, seed: 3)
            let est = LocalisationSignals.locate(w, frames: 4096, geometry: g, config: LocalisationConfig(sampleRate: 48_000, fftSize: 4096))
            // Front/back fold about the y axis: az ↦ 180 − az.
            let folded = cos(az * .pi / 180) >= 0 ? az : 180 - az
            let err = LocalisationSignals.angularError(est.azimuthDeg, folded)
            // Near end-fire (±90°) one sample of delay spans many degrees.
            #expect(err < (abs(sin(az * .pi / 180)) > 0.9 ? 6 : 2), "az \(az) → \(est.azimuthDeg), folded truth \(folded)")
        }
    }

    @Test("3-D array: azimuth and elevation within 2°")
    func volumeElevation() throws {
        let pos = LocalisationSignals.respeaker4 + [SIMD3(0, 0, 0.06)]
        let g = try #require(LocalisationSignals.geometry(pos))
        #expect(g.resolution == .volume)
        for (az, el) in [(40.0, 20.0), (200.0, -30.0), (310.0, 5.0)] {
            let delays = LocalisationSignals.planeWaveDelays(positions: pos, azimuthDeg: az, elevationDeg: el)
            let w = LocalisationSignals.delayedTones(delays: delays, frames: 2048, sampleRate: Self.fs, seed: 8)
            let est = LocalisationSignals.locate(w, frames: 2048, geometry: g, config: LocalisationConfig(sampleRate: 48_000, fftSize: 2048))
            let elev = try #require(est.elevationDeg)
            #expect(LocalisationSignals.angularError(est.azimuthDeg, az) < 2, "az \(az) → \(est.azimuthDeg)")
            #expect(abs(elev - el) < 2, "el \(el) → \(elev)")
        }
    }

    @Test("silence is reported invalid")
    func silence() throws {
        let g = try #require(LocalisationSignals.geometry(LocalisationSignals.respeaker4))
        let est = LocalisationSignals.locate([Int16](repeating: 0, count: 4 * 512), frames: 512, geometry: g,
                                             config: LocalisationConfig(sampleRate: 48_000, fftSize: 512))
        #expect(!est.valid)
    }
}
