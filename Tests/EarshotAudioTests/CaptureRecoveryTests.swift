import Foundation
import Synchronization
import Testing
@testable import EarshotAudio

/// What a scripted device does on each read.
/// `gap(n)`: an overrun that lost `n` frames' worth of time (returns -EPIPE; the device clock jumps).
enum ScriptStep: Sendable { case frames(Int), error(Int32), gap(Int) }

/// Per-device-name scripts: each open consumes the next entry (nil = open fails with ENOENT).
struct Script: Sendable {
    var opens: [[ScriptStep]?]
    var openTimes: [UInt64] = []
    var recovers = 0
}
let scripts = Mutex<[String: Script]>([:])

/// A `CaptureDevice` that plays a script: frames carry a running counter, errors are returned as given;
/// after the script it reports silence (-ETIMEDOUT after sleeping the timeout).
final class ScriptedDevice: CaptureDevice {
    let negotiated: NegotiatedCapture
    let name: String
    var steps: [ScriptStep]
    static let counter = Atomic<Int>(0)
    /// The device clock: frame k of this device was captured at `clockBase + k / rate`.
    static let clockBase: Int64 = 1_000_000_000_000
    var clockFrames: Int64 = 0
    var lastFrameCaptureNanoseconds: Int64 = 0

    init(_ config: AudioCaptureConfig, steps: [ScriptStep]) {
        negotiated = NegotiatedCapture(rate: config.rate, channels: config.channels, format: config.format,
                                       periodFrames: config.periodFrames, bufferFrames: config.bufferFrames)
        name = config.device
        self.steps = steps
    }

    static func open(_ config: AudioCaptureConfig) throws(AlsaError) -> ScriptedDevice {
        let next: [ScriptStep]?? = scripts.withLock { all in
            guard var s = all[config.device], !s.opens.isEmpty else { return .none }
            s.openTimes.append(DispatchTime.now().uptimeNanoseconds)
            let first = s.opens.removeFirst()
            all[config.device] = s
            return .some(first)
        }
        guard case .some(.some(let steps)) = next else { throw AlsaError(code: -2, call: "snd_pcm_open", device: config.device) }
        return ScriptedDevice(config, steps: steps)
    }

    func read(into buffer: UnsafeMutableRawPointer, frames: Int, timeoutMilliseconds: Int32) -> Int {
        guard !steps.isEmpty else { usleep(UInt32(timeoutMilliseconds) * 1000); return -110 }
        switch steps.removeFirst() {
        case .frames(let n):
            let p = buffer.assumingMemoryBound(to: Int16.self)
            for i in 0..<min(n, frames) { p[i] = Int16(truncatingIfNeeded: Self.counter.add(1, ordering: .relaxed).newValue) }
            clockFrames += Int64(min(n, frames))
            lastFrameCaptureNanoseconds = Self.clockBase + (clockFrames - 1) * 1_000_000_000 / Int64(negotiated.rate)
            return min(n, frames)
        case .error(let code): return Int(code)
        case .gap(let n):
            clockFrames += Int64(n)
            return -32
        }
    }

    func recover(fromError code: Int32) -> Int32 {
        scripts.withLock { $0[name]?.recovers += 1 }
        return 0
    }

    func close() {}
}

func waitUntil(_ ms: Int = 3_000, _ condition: () -> Bool) -> Bool {
    for _ in 0..<ms { if condition() { return true }; usleep(1_000) }
    return condition()
}

@Suite("Capture recovery (scripted device)")
struct CaptureRecoveryTests {
    func capture(_ device: String, stallMs: Int = 2_000) throws -> AudioCapture<ScriptedDevice> {
        try AudioCapture<ScriptedDevice>(config: AudioCaptureConfig(device: device, rate: 16_000, periodFrames: 160),
                                         backoff: ReopenBackoff(initialNanoseconds: 20_000_000, maximumNanoseconds: 80_000_000),
                                         stallTimeoutMilliseconds: stallMs)
    }

    @Test func xrunIsRecoveredAndCounted() throws {
        scripts.withLock { $0["xrun"] = Script(opens: [[.frames(160), .error(-32), .frames(160), .error(-86), .frames(160)]]) }
        let c = try capture("xrun")
        try c.start()
        #expect(waitUntil { c.status.framesCaptured == 480 })
        let s = c.status
        c.stop()
        #expect(s.xruns == 2 && s.reopens == 0 && s.state == .running)
        #expect(scripts.withLock { $0["xrun"]!.recovers } == 2)
        #expect(c.status.state == .stopped)
    }

    @Test func lostDeviceIsReopenedWithGrowingBackoff() throws {
        scripts.withLock { $0["unplug"] = Script(opens: [[.frames(160), .error(-19)], nil, nil, nil, [.frames(160)]]) }
        let c = try capture("unplug")
        try c.start()
        #expect(waitUntil { c.status.framesCaptured == 320 })
        let s = c.status
        c.stop()
        #expect(s.reopens == 1 && s.failedOpens == 3 && s.state == .running)
        #expect(s.lastError.contains("\"unplug\""), "\(s.lastError)")
        let times = scripts.withLock { $0["unplug"]!.openTimes }
        let gapsMs = zip(times.dropFirst(), times).map { Double($0 - $1) / 1e6 }
        // after the loss: 20 ms, then 40, 80, 80 (capped) between attempts
        #expect(gapsMs.count == 4)
        for (gap, minimum) in zip(gapsMs, [20.0, 40, 80, 80]) { #expect(gap >= minimum && gap < minimum + 60, "gaps \(gapsMs)") }
    }

    @Test func silenceBeyondTheStallTimeoutCountsAsLoss() throws {
        scripts.withLock { $0["silent"] = Script(opens: [[.frames(160)], [.frames(160)]]) }
        let c = try capture("silent", stallMs: 200)
        try c.start()
        #expect(waitUntil { c.status.reopens == 1 })
        let s = c.status
        c.stop()
        #expect(s.stalls >= 4 && s.lastError.contains("no audio for"), "\(s)")
    }

    @Test func deviceTimestampsTravelThroughTheRingAcrossAnOverrun() throws {
        // 3 periods, an overrun that loses 50 ms (800 frames), 3 more periods.
        let p = ScriptStep.frames(160)
        scripts.withLock { $0["dated"] = Script(opens: [[p, p, p, .gap(800), p, p, p]]) }
        let c = try capture("dated")
        try c.start()
        #expect(waitUntil { c.status.framesCaptured == 960 })
        c.stop()
        var hop = [Int16](repeating: 0, count: 160)
        for k in 0..<6 {
            let ok = hop.withUnsafeMutableBufferPointer { c.ring.tryRead(into: $0, frameCount: 160) }
            try #require(ok, "hop \(k)")
            let stamp = c.ring.lastReadTimestamp
            #expect(stamp.isKnown)
            // Reference: the device clock of the hop's first frame (positions after the gap are 800 frames later).
            let position = Int64(k * 160 + (k >= 3 ? 800 : 0) + stamp.frameOffset)
            let expected = ScriptedDevice.clockBase + position * 62_500
            #expect(abs(stamp.nanoseconds - expected) <= 2, "hop \(k): \(stamp.nanoseconds) vs \(expected)")
        }
        #expect(c.status.xruns == 1)
    }

    @Test func retryPolicyStartsLostAndFailPolicyThrows() throws {
        scripts.withLock { $0["late"] = Script(opens: [nil, [.frames(160)]]) }
        let c = try capture("late")
        try c.start(.retryUntilAvailable)
        #expect(waitUntil { c.status.framesCaptured == 160 })
        #expect(c.status.failedOpens == 1 && c.status.reopens == 0)
        c.stop()
        let d = try capture("never-there")
        #expect(throws: AlsaError(code: -2, call: "snd_pcm_open", device: "never-there")) { try d.start() }
    }
}
