// EventLocaliser: impulsive sounds use the onset window, sustained ones the
// averaged short windows; signals are plane waves synthesised here (sums of
// sines evaluated at each microphone's exact arrival time).
import EarshotConfig
import Foundation
import Testing
import EarshotDSP
import EarshotPlatform
@testable import EarshotAgent

@Suite("Localisation: sustained vs impulsive path")
struct LocateSustainedTests {
    static let positions: [SIMD3<Double>] = [
        SIMD3(-0.0405, 0, 0), SIMD3(0, 0.0405, 0), SIMD3(0.0405, 0, 0), SIMD3(0, -0.0405, 0),
    ]

    static func localiser() -> EventLocaliser {
        var x = SIMD8<Double>(), y = SIMD8<Double>()
        for (k, p) in positions.enumerated() { x[k] = p.x; y[k] = p.y }
        let g = MicArrayGeometry(count: 4, x: x, y: y, z: SIMD8())!
        return LocateOptions().makeLocaliser(sampleRate: 48_000, geometry: g)
    }

    /// Fills every channel's span with a plane wave from `azimuthDeg` (see `planeWave`),
    /// the source starting 2 ms after the span start.
    static func fill(_ l: EventLocaliser, azimuthDeg: Double, envelope: (Double) -> Double) {
        let x = planeWave(azimuthDeg: azimuthDeg, frames: l.spanSamples, startSample: 96, envelope: envelope)
        for c in 0..<4 {
            let at = l.windowOffset(channel: c)
            for i in 0..<l.spanSamples { l.windows[at + i] = x[c][i] }
        }
    }

    /// `frames` samples per channel (48 kHz) of a plane wave from `azimuthDeg`:
    /// 0.1-RMS sines every 50 Hz from 400 to 7000 Hz under `envelope(t)`, t in s
    /// from the source's arrival at the array centre at `startSample`; 0 before.
    static func planeWave(azimuthDeg: Double, frames: Int, startSample: Int, envelope: (Double) -> Double) -> [[Int16]] {
        let az = azimuthDeg * Double.pi / 180
        let u = SIMD3(cos(az), sin(az), 0)
        var freqs: [Double] = [], phases: [Double] = []
        var seed: UInt64 = 12345
        for f in stride(from: 400.0, through: 7000, by: 50) {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            freqs.append(f)
            phases.append(2 * Double.pi * Double(seed >> 11) / 9_007_199_254_740_992.0)
        }
        let gain = 0.1 * 32767 * (2.0 / Double(freqs.count)).squareRoot()
        var out = [[Int16]](repeating: [Int16](repeating: 0, count: frames), count: 4)
        for c in 0..<4 {
            let delay = -(positions[c] * u).sum() / 343
            for i in 0..<frames {
                let t = Double(i - startSample) / 48_000 - delay
                guard t >= 0 else { continue }
                var s = 0.0
                for k in 0..<freqs.count { s += sin(2 * Double.pi * freqs[k] * t + phases[k]) }
                out[c][i] = Int16(max(-32768, min(32767, (gain * envelope(t) * s).rounded())))
            }
        }
        return out
    }

    static func error(_ a: Double, _ b: Double) -> Double {
        var d = (a - b).truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        return min(d, 360 - d)
    }

    @Test("defaults at 48 kHz: 2048-sample onset window, 16 short windows of 512 samples, span 4352")
    func layout() {
        let l = Self.localiser()
        #expect(l.windowSamples == 2048 && l.segmentSamples == 512 && l.segmentHop == 256 && l.maxSegments == 16)
        #expect(l.spanSamples == 15 * 256 + 512)
    }

    @Test("a steady sound averages all 16 short windows; its bearing is within 1°", arguments: [20.0, 160.0, 250.0])
    func steadyIsSustained(az: Double) {
        let l = Self.localiser()
        Self.fill(l, azimuthDeg: az) { _ in 1 }
        #expect(l.sustainedSegments(available: l.spanSamples) == 16)
        let b = l.locateEvent()
        #expect(b.valid && b.segments == 16)
        #expect(Self.error(b.azimuthDeg, az) < 1, "az \(az) → \(b.azimuthDeg)")
    }

    @Test("a sound rising over 30 ms counts as sustained")
    func rampIsSustained() {
        let l = Self.localiser()
        Self.fill(l, azimuthDeg: 75) { t in min(1, t / 0.03) }
        #expect(l.sustainedSegments(available: l.spanSamples) == 16)
    }

    @Test("a decaying burst (τ = 5 ms) uses the onset window alone; bearing within 1°")
    func burstIsImpulsive() {
        let l = Self.localiser()
        Self.fill(l, azimuthDeg: 300) { t in exp(-t / 0.005) }
        #expect(l.sustainedSegments(available: l.spanSamples) == 1)
        let b = l.locateEvent()
        #expect(b.valid && b.segments == 1)
        #expect(Self.error(b.azimuthDeg, 300) < 1, "→ \(b.azimuthDeg)")
    }

    @Test("only the windows already available are averaged; fewer than the onset window → onset path")
    func partialAvailability() {
        let l = Self.localiser()
        Self.fill(l, azimuthDeg: 45) { _ in 1 }
        #expect(l.sustainedSegments(available: 2048) == 7)     // (2048 − 512) / 256 + 1
        #expect(l.sustainedSegments(available: 2047) == 1)
        #expect(l.sustainedSegments(available: 0) == 1)
        #expect(l.locateEvent(available: 2048).segments == 7)
    }

    /// The live localiser of the shipped 4-mic board with `frames` of a plane
    /// wave (source arriving at sample 4800) appended in 480-frame hops.
    static func live(azimuthDeg: Double, frames: Int, envelope: (Double) -> Double) throws -> LiveLocaliser {
        let board = try BoardConfig.load(path: ConfigTestSupport.repoRoot() + "/Boards/rpi4-respeaker-4mic.toml")
        let setup = try #require(LiveLocalisationSetup(board: board))
        let live = LiveLocaliser(setup: setup)
        let x = planeWave(azimuthDeg: azimuthDeg, frames: frames, startSample: 4800, envelope: envelope)
        let interleaved = FixedBuffer<Int16>(count: 4 * 480, repeating: 0)
        var done = 0
        while done < frames {
            let count = min(480, frames - done)
            for i in 0..<count { for c in 0..<4 { interleaved[i * 4 + c] = x[c][done + i] } }
            live.history.append(interleaved, frames: count)
            done += count
        }
        return live
    }

    @Test("earshot run: a horn-like steady sound confirmed 300 ms after its onset averages 16 windows; a shot uses its onset window")
    func livePaths() throws {
        let steady = try Self.live(azimuthDeg: 135, frames: 4800 + 14_400) { _ in 1 }
        let s = try #require(steady.locate(onsetSample: 4800))
        #expect(s.segments == 16)
        #expect(Self.error(s.azimuthDeg, 135) < 1, "→ \(s.azimuthDeg)")
        let shot = try Self.live(azimuthDeg: 210, frames: 4800 + 14_400) { t in exp(-t / 0.005) }
        let b = try #require(shot.locate(onsetSample: 4800))
        #expect(b.segments == 1)
        #expect(Self.error(b.azimuthDeg, 210) < 1, "→ \(b.azimuthDeg)")
        // Confirmed as soon as its onset window is complete: the short windows held so far.
        let early = try Self.live(azimuthDeg: 135, frames: 4800 - 96 + 2048) { _ in 1 }
        #expect(early.windowComplete(onsetSample: 4800))
        #expect(try #require(early.locate(onsetSample: 4800)).segments == 7)
    }
}
