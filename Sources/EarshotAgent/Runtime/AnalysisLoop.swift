// The analysis thread: hops from the SampleRing → AnalysisChain → DetectionEngine
// and LevelMeter → items for the dispatcher (and PTZ triggers). It never waits on
// the network or on GPIO, and after `start` it allocates nothing per hop: every
// buffer is taken in `init`, state is inline, no String is built.
import EarshotPlatform
import EarshotAudio
import EarshotDSP
import EarshotDetection
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Everything the analysis thread needs, fixed at construction.
public struct AnalysisSetup: Sendable {
    /// Signature table (nil: detection off, mode `levels`).
    public var table: SignatureTable?
    /// dB SPL at 0 dBFS, Q8.8 (nil: uncalibrated).
    public var splOffsetQ8_8: Int16?
    /// Calibration gain for the chain (1.0 = unity).
    public var calibrationGain: Double = 1
    /// Telemetry window, s.
    public var telemetryIntervalSeconds: Int = 60
    /// Drive PTZ lines on events (mode `events+ptz`).
    public var steerCamera: Bool = false
    /// Stop analysing after this much audio, s (nil = never).
    public var stopAfterAudioSeconds: Double?
    /// Benchmarks: called on the analysis thread after every hop with the hop count.
    public var hopHook: (@Sendable (Int64) -> Void)?
    /// Direction of arrival (boards with a microphone array): bearing per event,
    /// camera preset from the bearing. Nil: no bearing, PTZ to the default preset.
    public var localisation: LiveLocalisationSetup?

    public init() {}
}

/// Runs the analysis loop on its own thread.
public final class AnalysisLoop: Sendable {
    // Buffers, DSP state and the localiser live in `run()` (the analysis thread's own
    // `AnalysisWorkspace` and locals); what other threads read is atomic.
    /// The audio source.
    public let input: AgentAudioInput
    /// Where events and telemetry go.
    public let queue: AgentQueue
    let setup: AnalysisSetup
    let ptz: AgentPTZ?
    let notifier: SystemdNotifier?
    let watchdogNanoseconds: Int64
    private let hop: Int
    private let power = DecibelPowerTable()
    private let stopRequested = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    private let hopsDone = Atomic<Int64>(0)
    private let heartbeat = Atomic<Int64>(0)
    private let inputDone = Atomic<Bool>(false)
    private let selfTestRequest = Atomic<UInt32>(0)
    private let eventsSeen = Atomic<UInt64>(0)
    /// Direction finding's setup (nil without a microphone array matching the channels).
    private let localisation: LiveLocalisationSetup?

    /// Frames the ring must hold before the analysis thread wakes: one capture period
    /// (each write of the capture then wakes it once), or as many whole periods of a
    /// short period as fit in 40 ms (4 × 10 ms) — never less than one hop.
    static func wakeFrames(hop: Int, period: Int, rate: Int) -> Int {
        let periods = max(1, rate * 4 / 100 / max(period, 1))
        return max(hop, periods * period)
    }

    /// Longest wait for `wakeFrames` (ns): twice their duration, at least 100 ms. The
    /// capture's write is what wakes the thread; the timeout only bounds how late the
    /// heartbeat, watchdog, self-test and `stop()` are seen when no audio comes.
    static func wakeTimeoutNanoseconds(wakeFrames: Int, rate: Int) -> UInt64 {
        max(100_000_000, UInt64(2 * wakeFrames) * 1_000_000_000 / UInt64(max(rate, 1)))
    }

    /// Prepares the loop (buffers, chain design happens on the thread's start).
    /// `watchdogInterval`: systemd's `WatchdogSec`; the loop pings every half of it.
    public init(input: AgentAudioInput, setup: AnalysisSetup, ptz: AgentPTZ?, queue: AgentQueue,
                notifier: SystemdNotifier?, watchdogInterval: Duration?) {
        self.input = input
        self.setup = setup
        self.ptz = ptz
        self.queue = queue
        self.notifier = notifier
        if let w = watchdogInterval {
            let c = w.components
            watchdogNanoseconds = c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
        } else {
            watchdogNanoseconds = 0
        }
        hop = input.hopFrames
        localisation = setup.localisation.flatMap { $0.geometry.count == input.channels ? $0 : nil }
    }

    /// True when events carry a bearing (the board's microphone array matches the channels).
    public var localising: Bool { localisation != nil }

    /// Hops analysed so far.
    public var hops: Int64 { hopsDone.load(ordering: .relaxed) }
    /// Monotonic ns of the loop's last iteration (liveness).
    public var lastHeartbeatNanoseconds: Int64 { heartbeat.load(ordering: .relaxed) }
    /// True once a finite input was analysed to its end (or `stopAfterAudioSeconds` reached).
    public var reachedEndOfInput: Bool { inputDone.load(ordering: .acquiring) }
    /// Detector events seen (all phases).
    public var eventCount: UInt64 { eventsSeen.load(ordering: .relaxed) }

    /// Asks the analysis thread to acknowledge self-test `id`: it pushes a `.selfTest`
    /// item between two hops, proving it is alive and its queue flows.
    public func requestSelfTest(id: UInt32) { selfTestRequest.store(id, ordering: .releasing) }

    /// Starts the thread.
    public func start() {
        running.store(true, ordering: .releasing)
        AgentThread.spawn(name: "earshot-analyze") { [self] in run() }
    }

    /// Stops the thread; returns once it has left the loop (≤ one wake timeout, 100 ms
    /// for periods up to 50 ms).
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        while running.load(ordering: .acquiring) { usleep(1_000) }
    }

    // MARK: Analysis thread

    private func run() {
        defer { running.store(false, ordering: .releasing) }
        // Allocated once, here, on the analysis thread; nothing is allocated per hop.
        let ws = AnalysisWorkspace(hop: hop, channels: input.channels, localisation: localisation)
        let rate = input.rate
        var config = AnalysisConfig(sampleRate: Int32(rate))
        config.calibrationGain = setup.calibrationGain
        var chain = AnalysisChain(config: config)
        var frame = FeatureFrame()
        let detecting = setup.table != nil
        var engine = DetectionEngine(table: setup.table ?? SignatureTable(), config: config, splOffset: setup.splOffsetQ8_8)
        var meter = LevelMeter()
        var bandSum = SIMD8<Double>(repeating: 0)
        var bandSeen = SIMD8<Int32>(repeating: 0)
        var windowHops = 0
        let hopsPerWindow = max(1, setup.telemetryIntervalSeconds * rate / hop)
        var windowStartUTC: Int64 = 0
        var item = AgentItem()
        var lastSelfTest: UInt32 = 0
        var nextWatchdog: Int64 = 0
        let channels = input.channels
        let analysisChannel = input.analysisChannel
        let ring = input.ring
        let wakeFrames = Self.wakeFrames(hop: hop, period: input.periodFrames, rate: rate)
        let wakeTimeout = Self.wakeTimeoutNanoseconds(wakeFrames: wakeFrames, rate: rate)
        let stopAfterHops: Int64 = setup.stopAfterAudioSeconds.map { Int64(($0 * Double(rate) / Double(hop)).rounded(.up)) } ?? Int64.max
        let nsPerFrame = 1_000_000_000.0 / Double(rate)
        let hopEnergyScale = Double(1 << 29) * Double(hop)
        var finished = false
        let fileStart = input.fileStartMonotonicNanoseconds ?? 0
        var offset = AgentClock.realtimeOffsetNanoseconds()

        while !stopRequested.load(ordering: .acquiring) {
            let now0 = AgentClock.monotonicNanoseconds()
            heartbeat.store(now0, ordering: .relaxed)
            if watchdogNanoseconds > 0, now0 >= nextWatchdog, let notifier {
                try? notifier.watchdog()
                nextWatchdog = now0 &+ watchdogNanoseconds / 2
            }
            let request = selfTestRequest.load(ordering: .acquiring)
            if request != lastSelfTest {
                lastSelfTest = request
                item.kind = .selfTest
                item.selfTestID = request
                queue.push(item)
            }
            if finished {
                usleep(20_000)
                continue
            }
            // Sleep until a capture period is buffered (several of a period shorter
            // than 40 ms), then drain every whole hop: one wake-up per period.
            if ring.availableFrames < hop {
                _ = ring.waitForFrames(wakeFrames, timeoutNanoseconds: wakeTimeout)
            }
            guard ring.read(into: ws.frames, frameCount: hop, timeoutNanoseconds: wakeTimeout) else {
                if input.isFinished && ring.availableFrames < hop {
                    if detecting {
                        engine.finish(atSample: frame.firstSample &+ Int64(hop)) { e in
                            handle(e, hopEndSample: frame.firstSample &+ Int64(hop), hopEndMono: now0, offset: offset, into: &item)
                        }
                    }
                    releasePending(ws, all: true)
                    finished = true
                    inputDone.store(true, ordering: .releasing)
                }
                continue
            }
            // Capture time of the hop's last sample: a file replay's own clock (sample i
            // at start + i/rate); for ALSA, the capture thread's per-period timestamp
            // carried by the ring, else (no stamp) the frames still buffered before now
            // (read here, before the hop is analysed; the clock only in that case).
            let stamp = ring.lastReadTimestamp
            let undatedEndMono = fileStart != 0 || stamp.isKnown ? 0
                : AgentClock.monotonicNanoseconds() &- Int64(Double(ring.availableFrames) * nsPerFrame)
            ws.downmix(channels: channels, channel: analysisChannel)
            ws.localiser?.history.append(ws.frames, frames: hop)
            ws.mono.withElements { chain.process(hop: $0, into: &frame) }
            let hopEndSample = frame.firstSample &+ Int64(hop)
            let hopEndMono = fileStart != 0
                ? fileStart &+ Int64(Double(hopEndSample) * nsPerFrame)
                : stamp.isKnown
                    ? stamp.nanoseconds &+ Int64(Double(hop - 1 - stamp.frameOffset) * nsPerFrame)
                    : undatedEndMono

            // Telemetry: A-weighted hop level → meter; octave bands → energy sums.
            if windowHops == 0 {
                offset = AgentClock.realtimeOffsetNanoseconds()
                windowStartUTC = hopEndMono &- Int64(Double(hop) * nsPerFrame) &+ offset
            }
            let la = Int32(frame.levelA)
            let energy = hopEnergyScale * power.ratio(la)
            meter.add(energy: energy < 1.8e19 ? UInt64(energy) : UInt64.max / 2, sampleCount: Int32(hop), levelQ8_8: la)
            for b in 0..<8 where frame.bandLevel[b] > FeatureFrame.floor {
                bandSum[b] += power.ratio(Int32(frame.bandLevel[b]))
                bandSeen[b] &+= 1
            }
            windowHops += 1
            if windowHops >= hopsPerWindow {
                item.kind = .telemetry
                item.levels = meter.report()
                for b in 0..<8 {
                    item.bandLeqDB[b] = bandSeen[b] == 0 ? .nan : 10 * log10(bandSum[b] / Double(windowHops))
                }
                item.intervalStartUTCNanoseconds = windowStartUTC
                item.intervalSeconds = Double(windowHops * hop) / Double(rate)
                queue.push(item)
                meter.reset()
                bandSum = SIMD8(repeating: 0)
                bandSeen = SIMD8(repeating: 0)
                windowHops = 0
            }

            if detecting {
                if ws.pendingCount > 0 { releasePending(ws, all: false) }
                engine.process(frame) { e in
                    handle(e, hopEndSample: hopEndSample, hopEndMono: hopEndMono, offset: offset, into: &item)
                }
            }
            let done = hopsDone.add(1, ordering: .relaxed).newValue
            setup.hopHook?(done)
            if done >= stopAfterHops {
                finished = true
                inputDone.store(true, ordering: .releasing)
            }
        }

        func handle(_ e: Event, hopEndSample: Int64, hopEndMono: Int64, offset: Int64, into item: inout AgentItem) {
            eventsSeen.add(1, ordering: .relaxed)
            item.kind = .event
            item.event = e
            item.onsetMonotonicNanoseconds = hopEndMono &- Int64(Double(hopEndSample &- e.onsetSample) * nsPerFrame)
            item.onsetUTCNanoseconds = item.onsetMonotonicNanoseconds &+ offset
            item.sector = -1
            item.ptz = .none
            item.ptzRequestMonotonicNanoseconds = 0
            item.bearingDeg = .nan
            item.elevationDeg = .nan
            item.bearingConfidence = .nan
            // With an array, an impulse/start waits (in order with what follows it) until
            // its onset window is complete; an event confirmed within the window's
            // length after its onset is published that much later.
            if let localiser = ws.localiser, ws.pendingCount > 0 || (e.phase != .end && !localiser.windowComplete(onsetSample: e.onsetSample)) {
                if ws.pendingCount < AnalysisWorkspace.pendingCapacity {
                    ws.pending[(ws.pendingHead + ws.pendingCount) % AnalysisWorkspace.pendingCapacity] = item
                    ws.pendingCount += 1
                    return
                }
                releasePending(ws, all: true)   // full: publish the oldest as they are (window zero-padded)
            }
            complete(&item, ws)
        }
    }

    /// Publishes pending events whose onset window is complete (all of them with `all`), in order.
    private func releasePending(_ ws: AnalysisWorkspace, all: Bool) {
        while ws.pendingCount > 0 {
            let head = ws.pending[ws.pendingHead]
            if !all, head.event.phase != .end, let localiser = ws.localiser,
               !localiser.windowComplete(onsetSample: head.event.onsetSample) { return }
            var item = head
            ws.pendingHead = (ws.pendingHead + 1) % AnalysisWorkspace.pendingCapacity
            ws.pendingCount -= 1
            complete(&item, ws)
        }
    }

    /// Bearing (with an array), PTZ trigger (mode events+ptz), then the queue.
    private func complete(_ item: inout AgentItem, _ ws: AnalysisWorkspace) {
        let e = item.event
        var sector = ptz?.defaultSector ?? 0
        if e.phase != .end, let localiser = ws.localiser, let b = localiser.locate(onsetSample: e.onsetSample) {
            item.bearingDeg = b.azimuthDeg
            item.elevationDeg = b.elevationDeg ?? .nan
            item.bearingConfidence = b.confidence
            if let preset = b.preset, let ptz, preset >= 1, preset <= ptz.sectorCount { sector = preset - 1 }
        }
        if e.phase != .end, setup.steerCamera, let ptz {
            item.sector = Int32(sector)
            item.ptzRequestMonotonicNanoseconds = AgentClock.monotonicNanoseconds()
            item.ptz = AgentItem.PTZOutcome(ptz.trigger(sector: sector))
        }
        queue.push(item)
    }
}

/// The analysis thread's own buffers and localiser, made when its loop starts and dropped
/// when it ends: nothing here is shared, so nothing here needs a lock or `@unchecked`.
final class AnalysisWorkspace {
    /// Events waiting for the rest of their onset window (FIFO slots).
    static let pendingCapacity = 8
    let hop: Int
    /// One hop, interleaved, `channels` per frame (Q15).
    let frames: FixedBuffer<Int16>
    /// One hop of the analysed channel (or the mean of all) (Q15).
    let mono: FixedBuffer<Int16>
    /// Direction finding (nil without a microphone array).
    let localiser: LiveLocaliser?
    /// FIFO slots from `pendingHead`, `pendingCount` of them in use.
    var pending: [AgentItem]
    var pendingHead = 0
    var pendingCount = 0

    init(hop: Int, channels: Int, localisation: LiveLocalisationSetup?) {
        self.hop = hop
        frames = FixedBuffer(count: hop * channels, repeating: 0)
        mono = FixedBuffer(count: hop, repeating: 0)
        localiser = localisation.map { LiveLocaliser(setup: $0) }
        pending = [AgentItem](repeating: AgentItem(), count: Self.pendingCapacity)
    }

    /// Copies the analysed channel (or the mean of all) of the interleaved hop into `mono`.
    @inline(__always)
    func downmix(channels: Int, channel: Int?) {
        if channels == 1 {
            mono.copy(from: frames, count: hop)
            return
        }
        if let c = channel {
            for i in 0..<hop { mono[i] = frames[i * channels + c] }
            return
        }
        for i in 0..<hop {
            var sum: Int32 = 0
            for c in 0..<channels { sum &+= Int32(frames[i * channels + c]) }
            mono[i] = Int16(truncatingIfNeeded: sum / Int32(channels))
        }
    }
}

/// 10^(L/10) for a Q8.8 dB level L (−128…+127.996 dB) from two 256-entry tables
/// (whole-dB part × fraction), instead of 9 `exp` calls per hop on the analysis
/// thread. Each entry is `exp` of the exact value; their product is within a few
/// ulp of `exp(L/256 · ln10/10)`. Built once, in `init`; read-only after.
struct DecibelPowerTable: Sendable {
    /// 10^((i−128)/10): steps of 1 dB.
    private let whole: [Double]
    /// 10^(i/2560): steps of 1/256 dB.
    private let fraction: [Double]

    init() {
        let ln10over10 = 0.23025850929940458
        whole = (0..<256).map { exp(Double($0 - 128) * ln10over10) }
        fraction = (0..<256).map { exp(Double($0) / 256 * ln10over10) }
    }

    /// 10^(levelQ8_8 / 2560); `levelQ8_8` must be an Int16 value (Q8.8 dB).
    @inline(__always)
    func ratio(_ levelQ8_8: Int32) -> Double {
        whole[Int((levelQ8_8 >> 8) &+ 128) & 255] * fraction[Int(levelQ8_8 & 255)]
    }
}
