// Signals for the localisation tests: plane waves reaching each microphone
// with its exact (fractional) delay, synthesised in double precision.
import Foundation
@testable import EarshotDSP

enum LocalisationSignals {
    /// Band-limited noise periodic in `frames` (every DFT bin in lowHz…highHz
    /// with a random phase, equal amplitudes), delayed by `delays[c]` seconds
    /// on channel c: a circular, exactly fractional delay. Q15, planar
    /// (channel c at c·frames), RMS ≈ `rms` of full scale.
    static func delayedTones(delays: [Double], frames: Int, sampleRate: Double, seed: UInt64,
                             lowHz: Double = 400, highHz: Double = 7000, rms: Double = 0.1) -> [Int16] {
        var rng = SplitMix64(seed: seed)
        let k0 = Int((lowHz * Double(frames) / sampleRate).rounded(.up))
        let k1 = Int((highHz * Double(frames) / sampleRate).rounded(.down))
        var freqs: [Double] = [], phases: [Double] = []
        for k in k0...k1 {
            freqs.append(Double(k) * sampleRate / Double(frames))
            phases.append(2 * Double.pi * rng.unit())
        }
        let gain = rms * 32767 * (2.0 / Double(freqs.count)).squareRoot()
        var out = [Int16](repeating: 0, count: delays.count * frames)
        for (c, d) in delays.enumerated() {
            for i in 0..<frames {
                let t = Double(i) / sampleRate - d
                var s = 0.0
                for k in 0..<freqs.count { s += sin(2 * Double.pi * freqs[k] * t + phases[k]) }
                out[c * frames + i] = Int16(max(-32768, min(32767, (s * gain).rounded())))
            }
        }
        return out
    }

    /// Arrival-time offsets (s) of a far-field plane wave from azimuth/elevation
    /// (degrees) at microphones `positions` (metres): −p·u/c.
    static func planeWaveDelays(positions: [SIMD3<Double>], azimuthDeg: Double, elevationDeg: Double = 0,
                                speed: Double = 343) -> [Double] {
        let az = azimuthDeg * Double.pi / 180, el = elevationDeg * Double.pi / 180
        let u = SIMD3(cos(el) * cos(az), cos(el) * sin(az), sin(el))
        return positions.map { -(($0 * u).sum()) / speed }
    }

    static func geometry(_ positions: [SIMD3<Double>]) -> MicArrayGeometry? {
        var x = SIMD8<Double>(), y = SIMD8<Double>(), z = SIMD8<Double>()
        for (k, p) in positions.enumerated() { x[k] = p.x; y[k] = p.y; z[k] = p.z }
        return MicArrayGeometry(count: positions.count, x: x, y: y, z: z)
    }

    /// Runs the localiser on planar windows with its own storage.
    static func locate(_ windows: [Int16], frames: Int, geometry: MicArrayGeometry,
                       config: LocalisationConfig) -> BearingEstimate {
        let tw = UnsafeMutableBufferPointer<Int32>.allocate(capacity: config.fftSize)
        defer { tw.deallocate() }
        let loc = GCCPHATLocaliser(config: config, geometry: geometry, twiddleStorage: tw)
        let ws = UnsafeMutableBufferPointer<Int32>.allocate(capacity: loc.workspaceCount)
        defer { ws.deallocate() }
        return windows.withUnsafeBufferPointer {
            loc.locate(windows: $0, stride: frames, frames: frames, workspace: ws)
        }
    }

    /// Smallest absolute difference of two bearings, degrees (0…180).
    static func angularError(_ a: Double, _ b: Double) -> Double {
        var d = (a - b).truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        return min(d, 360 - d)
    }

    /// ReSpeaker 4-mic square (Boards/rpi4-respeaker-4mic.toml).
    static let respeaker4: [SIMD3<Double>] = [
        SIMD3(-0.0405, 0, 0), SIMD3(0, 0.0405, 0), SIMD3(0.0405, 0, 0), SIMD3(0, -0.0405, 0),
    ]
}
