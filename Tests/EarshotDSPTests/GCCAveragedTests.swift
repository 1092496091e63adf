// GCC-PHAT averaged over several windows (sustained sounds), on plane waves
// synthesised here with exact fractional delays plus independent sensor noise.
import Foundation
import Testing
@testable import EarshotDSP

@Suite("Localisation: GCC-PHAT averaged over windows")
struct GCCAveragedTests {
    static let fs = 48_000.0

    /// `segments` consecutive windows of `n` samples per channel (planar, channel
    /// c at c·segments·n): each window is a different band-limited noise periodic
    /// in n with the plane-wave delays of `azimuthDeg`, plus independent uniform
    /// noise of RMS `noiseRMS` (fraction of full scale) on every channel.
    static func windows(azimuthDeg: Double, n: Int, segments: Int, seed: UInt64, noiseRMS: Double) -> [Int16] {
        let delays = LocalisationSignals.planeWaveDelays(positions: LocalisationSignals.respeaker4, azimuthDeg: azimuthDeg)
        let span = segments * n
        var out = [Int16](repeating: 0, count: 4 * span)
        var rng = SplitMix64(seed: seed &* 977)
        for s in 0..<segments {
            let w = LocalisationSignals.delayedTones(delays: delays, frames: n, sampleRate: fs, seed: seed &+ UInt64(s) &* 31)
            for c in 0..<4 {
                for i in 0..<n {
                    let noise = noiseRMS * 32767 * 3.0.squareRoot() * (2 * rng.unit() - 1)
                    let v = Double(w[c * n + i]) + noise
                    out[c * span + s * n + i] = Int16(max(-32768, min(32767, v.rounded())))
                }
            }
        }
        return out
    }

    static func run(_ w: [Int16], n: Int, segments: Int, averaged: Bool) -> BearingEstimate {
        let g = LocalisationSignals.geometry(LocalisationSignals.respeaker4)!
        let tw = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { tw.deallocate() }
        let loc = GCCPHATLocaliser(config: LocalisationConfig(sampleRate: 48_000, fftSize: n), geometry: g, twiddleStorage: tw)
        let ws = UnsafeMutableBufferPointer<Int32>.allocate(capacity: loc.averagedWorkspaceCount); defer { ws.deallocate() }
        return w.withUnsafeBufferPointer { p in
            averaged ? loc.locateAveraged(windows: p, stride: segments * n, segments: segments, hop: n, workspace: ws)
                     : loc.locate(windows: p, stride: segments * n, frames: n, workspace: ws)
        }
    }

    @Test("one window averaged gives exactly the single-window estimate")
    func oneSegmentIsSingle() {
        for az in [10.0, 133.0, 271.0] {
            let w = Self.windows(azimuthDeg: az, n: 512, segments: 1, seed: 4, noiseRMS: 0.05)
            let a = Self.run(w, n: 512, segments: 1, averaged: true)
            var b = Self.run(w, n: 512, segments: 1, averaged: false)
            b.segments = 1
            #expect(a == b, "az \(az): averaged \(a.azimuthDeg) vs single \(b.azimuthDeg)")
        }
    }

    @Test("16 noisy windows (SNR −6 dB per channel) beat the first window alone at 12 directions")
    func averagingBeatsOneWindow() {
        let n = 512, segs = 16
        var single = 0.0, averaged = 0.0, worstAveraged = 0.0
        for step in 0..<12 {
            let az = Double(step) * 30 + 7
            // Tones at RMS 0.1, noise at RMS 0.2: −6 dB.
            let w = Self.windows(azimuthDeg: az, n: n, segments: segs, seed: UInt64(step + 1), noiseRMS: 0.2)
            let a = Self.run(w, n: n, segments: segs, averaged: true)
            let s = Self.run(w, n: n, segments: segs, averaged: false)
            #expect(a.valid && a.segments == segs && a.pairs == 6)
            #expect(a.coherence > 0 && a.coherence <= 1 && a.confidence <= a.coherence)
            let ea = LocalisationSignals.angularError(a.azimuthDeg, az)
            averaged += ea
            worstAveraged = max(worstAveraged, ea)
            single += LocalisationSignals.angularError(s.azimuthDeg, az)
        }
        #expect(worstAveraged < 2, "worst averaged error \(worstAveraged)°")
        #expect(averaged < 0.5 * single, "mean error averaged \(averaged / 12)° vs single \(single / 12)°")
    }

    @Test("accumulated cross-spectrum: 16 identical windows read 16 × the single one >> 4")
    func accumulateScaling() {
        let n = 64
        let u = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { u.deallocate() }
        let v = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { v.deallocate() }
        let one = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { one.deallocate() }
        let acc = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { acc.deallocate() }
        var rng = SplitMix64(seed: 9)
        for k in 0..<n {
            u[k] = Int32((2 * rng.unit() - 1) * 16384)
            v[k] = Int32((2 * rng.unit() - 1) * 16384)
        }
        acc.initialize(repeating: 0)
        PhaseTransform.crossSpectrum(UnsafeBufferPointer(u), UnsafeBufferPointer(v), binLow: 2, binHigh: 30, into: one)
        for _ in 0..<16 {
            PhaseTransform.accumulateCrossSpectrum(UnsafeBufferPointer(u), UnsafeBufferPointer(v), binLow: 2, binHigh: 30,
                                                   shift: 4, into: acc)
        }
        for k in 0..<n {
            // Reference in Int64: 16 · round(x / 16).
            let x = Int64(one[k])
            let expected = 16 * ((x + 8) >> 4)
            #expect(Int64(acc[k]) == expected, "slot \(k)")
        }
    }

    /// Planar windows (channel c at c·segments·n) of a narrow-band source at
    /// `azimuthDeg` (2-2.6 kHz, RMS `sourceRMS`, nil: none) over a broadband
    /// interferer (400-7000 Hz, RMS 0.03, 10× more bins) from `azimuthDeg` + 100°.
    static func mixture(azimuthDeg: Double, sourceRMS: Double?, n: Int, segments: Int, seed: UInt64) -> [Int16] {
        let pos = LocalisationSignals.respeaker4
        let dSource = LocalisationSignals.planeWaveDelays(positions: pos, azimuthDeg: azimuthDeg)
        let dNoise = LocalisationSignals.planeWaveDelays(positions: pos, azimuthDeg: azimuthDeg + 100)
        let span = segments * n
        var out = [Int16](repeating: 0, count: 4 * span)
        for s in 0..<segments {
            let noise = LocalisationSignals.delayedTones(delays: dNoise, frames: n, sampleRate: fs, seed: seed &+ UInt64(s) &* 7919,
                                                         rms: 0.03)
            let source = sourceRMS.map {
                LocalisationSignals.delayedTones(delays: dSource, frames: n, sampleRate: fs, seed: seed &+ UInt64(s) &* 104_729,
                                                 lowHz: 2000, highHz: 2600, rms: $0)
            }
            for c in 0..<4 {
                for i in 0..<n {
                    let v = Int(noise[c * n + i]) + Int(source?[c * n + i] ?? 0)
                    out[c * span + s * n + i] = Int16(max(-32768, min(32767, v)))
                }
            }
        }
        return out
    }

    @Test("background mask: a narrow-band source over a broadband interferer is found only with the mask", arguments: [30.0, 200.0])
    func backgroundMask(az: Double) {
        let n = 512, segs = 8
        let g = LocalisationSignals.geometry(LocalisationSignals.respeaker4)!
        let tw = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n); defer { tw.deallocate() }
        let loc = GCCPHATLocaliser(config: LocalisationConfig(sampleRate: 48_000, fftSize: n), geometry: g, twiddleStorage: tw)
        let ws = UnsafeMutableBufferPointer<Int32>.allocate(capacity: loc.averagedWorkspaceCount); defer { ws.deallocate() }
        let power = UnsafeMutableBufferPointer<Double>.allocate(capacity: n); defer { power.deallocate() }
        let event = Self.mixture(azimuthDeg: az, sourceRMS: 0.15, n: n, segments: segs, seed: 11)
        let background = Self.mixture(azimuthDeg: az, sourceRMS: nil, n: n, segments: segs, seed: 99)
        let (masked, plain) = event.withUnsafeBufferPointer { e in
            background.withUnsafeBufferPointer { b in
                (loc.locateAveraged(windows: e, stride: segs * n, segments: segs, hop: n, noise: b, noiseStride: segs * n,
                                    noiseSegments: segs, binPower: power, maskRatio: 10, workspace: ws),
                 loc.locateAveraged(windows: e, stride: segs * n, segments: segs, hop: n, workspace: ws))
            }
        }
        // 2000-2600 Hz at 93.75 Hz per bin: 7 bins of the source (the ratio drops until 8 pass).
        #expect(masked.bins >= GCCPHATLocaliser.minMaskBins && masked.bins <= 12, "bins \(masked.bins)")
        #expect(plain.bins == loc.binHigh - loc.binLow + 1)
        #expect(LocalisationSignals.angularError(masked.azimuthDeg, az) < 2, "masked \(masked.azimuthDeg), bins \(masked.bins)")
        #expect(LocalisationSignals.angularError(plain.azimuthDeg, az) > 20, "unmasked \(plain.azimuthDeg)")
    }
}
