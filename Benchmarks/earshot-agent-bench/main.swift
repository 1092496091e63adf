// earshot-agent-bench: budgets of the whole agent (issue 5 "Must show" 5), in
// process, against a real mosquitto on 127.0.0.1. Run with the interposer:
//   LD_PRELOAD=<dir>/libMallocInterposerSwift.so earshot-agent-bench [steady_s] [latency_s] [paced_s]
// Prints key=value lines:
//   allocs_per_audio_s   heap allocations per second of audio made by the analysis
//                        thread in steady state with no events (only that thread is
//                        counted: an allocation hook compares pthread_self)
//   rss_mib              peak resident set (VmHWM) of a real `earshot run` child process
//                        (the binary next to this one) replaying quiet audio in real time;
//                        earshot_run_rss_breakdown_mib: its resident MiB per mapped file;
//                        bench_process_rss_mib: this process (agent in process + bench + Foundation)
//   cpu_s_per_audio_s    CPU of that `earshot run` child (sum of its threads' run time,
//                        /proc/PID/task/*/schedstat, ns) per second of 16 kHz mono audio,
//                        paced in real time, over a window that starts 3 s after launch
//                        (startup excluded); every thread: feeder, analysis, dispatcher,
//                        MQTT, main; idle wake-ups included (earshot_run_cpu_by_thread
//                        splits it; earshot-feed stands in for the ALSA capture thread:
//                        one write per capture period of the generic default board,
//                        earshot_run_period_frames; the feeder and the analysis thread
//                        each wake once per period). earshot_run_wakeups_per_s_by_thread:
//                        context switches per second of audio per thread, over the same window.
//                        cpu_unpaced_s_per_audio_s: in process, unpaced, over the counted
//                        window; cpu_unpaced_with_startup_s_per_audio_s: the same from
//                        before start() (session-1 definition);
//                        analysis_thread_cpu_s_per_audio_s: the analysis thread alone
//                        (CLOCK_THREAD_CPUTIME_ID over the counted window)
//   latency_p50_ms / latency_p99_ms  onset of the event in the audio (paced in real
//                        time) → PUBACK from the broker, impulsive and sustained events together;
//                        latency_impulsive_* and latency_sustained_* split them
import EarshotConfig
import EarshotAgent
import EarshotDetection
import EarshotText
import EarshotSignatures
import EarshotTestSupport
import Foundation
import MallocInterposerSwift
import Synchronization

let steadySeconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 60 : 60
let latencySeconds = CommandLine.arguments.count > 2 ? Double(CommandLine.arguments[2]) ?? 20 : 20
let pacedSeconds = CommandLine.arguments.count > 3 ? Double(CommandLine.arguments[3]) ?? 20 : 20
let rate = 16_000

// MARK: allocation counting on one thread

let analysisThread = Atomic<UInt>(0)
let analysisAllocations = Atomic<Int>(0)
let countingOn = Atomic<Bool>(false)
let countingDone = Atomic<Bool>(false)
let countedHops = Atomic<Int64>(0)
let threadCPUStart = Atomic<Int64>(0)
let threadCPUEnd = Atomic<Int64>(0)
let processCPUStart = Atomic<Int64>(0)
let processCPUEnd = Atomic<Int64>(0)
/// Process CPU (user+sys), µs; getrusage neither allocates nor locks.
func processCPUMicroseconds() -> Int64 {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Int64(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1_000_000 + Int64(u.ru_utime.tv_usec + u.ru_stime.tv_usec)
}
func threadCPUNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
let allocationHook: MallocInterposerSwift.AllocationHook = { _ in
    if pthread_self() == analysisThread.load(ordering: .relaxed) { analysisAllocations.add(1, ordering: .relaxed) }
}

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data("earshot-agent-bench: \(text)\n".utf8))
    exit(1)
}

// MARK: signals and files

struct Noise {
    var state: UInt32
    mutating func next() -> Double {
        state = state &* 1_664_525 &+ 1_013_904_223
        return Double(Int32(bitPattern: state)) / 2_147_483_648
    }
}

/// Writes `count` samples from `sample(i)` as a mono 16-bit WAV, in 64 KiB chunks
/// (the bench process must not hold the audio: its peak RSS is measured).
func writeWAV(_ path: String, count: Int, _ sample: (Int) -> Double) throws {
    var header = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
    header.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + count * 2)); header.append(contentsOf: Array("WAVE".utf8))
    header.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(UInt32(rate)); u32(UInt32(rate * 2)); u16(2); u16(16)
    header.append(contentsOf: Array("data".utf8)); u32(UInt32(count * 2))
    guard let f = fopen(path, "wb") else { fail("cannot write \(path)") }
    defer { fclose(f) }
    _ = header.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    var chunk = [Int16](repeating: 0, count: 32_768)
    var i = 0
    while i < count {
        let n = min(chunk.count, count - i)
        for k in 0..<n { chunk[k] = Int16(max(-32_768, min(32_767, (sample(i + k) * 32_768).rounded()))).littleEndian }
        _ = chunk.withUnsafeBytes { fwrite($0.baseAddress, 2, n, f) }
        i += n
    }
}

/// Background noise at about −50 dBFS.
func background(_ seconds: Double) -> [Double] {
    var n = Noise(state: 7)
    return (0..<Int(seconds * Double(rate))).map { _ in n.next() * 0.006 }
}

/// Shots (broadband burst, 25 ms decay) and horns (420 Hz + harmonics, 0.5 s, 30 ms fades), alternating every second.
func eventful(_ seconds: Double) -> [Double] {
    var x = background(seconds)
    var n = Noise(state: 99)
    var t = 0.5
    var shot = true
    while t + 0.6 < seconds {
        let start = Int(t * Double(rate))
        if shot {
            for k in 0..<Int(0.25 * Double(rate)) { x[start + k] += n.next() * 0.8 * exp(-Double(k) / 400) }
        } else {
            for k in 0..<8_000 {
                let tt = Double(k) / Double(rate)
                let ramp = min(1, Double(k) / 480, Double(8_000 - k) / 480)  // 30 ms fades: a horn, not an impulse
                x[start + k] += ramp * (0.18 * sin(2 * .pi * 420 * tt) + 0.09 * sin(2 * .pi * 840 * tt) + 0.045 * sin(2 * .pi * 1_260 * tt))
            }
        }
        shot.toggle()
        t += 1.0
    }
    return x
}

func peakRSSMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
    return kb / 1024
}

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

let dir = try makeTemporaryDirectory(prefix: "earshot-agent-bench")
let broker = try MosquittoBroker()
try broker.start()
defer { broker.stop() }

func writeSite(table: String?) throws -> String {
    let board = dir + "/board.toml"
    try "name = \"bench\"\n[audio]\ndevice = \"unused\"\nrate = 16000\nchannels = 1\n[microphone]\n".write(toFile: board, atomically: true, encoding: .utf8)
    let site = dir + "/site.toml"
    try TestSiteFile(sensor: "bench", site: "bench", board: board, port: broker.port, outbox: dir + "/outbox",
                     fastReconnect: false, telemetryS: 10, logLevel: "warning", table: table)
        .text.write(toFile: site, atomically: true, encoding: .utf8)
    return site
}

/// The synthetic-sound gunshot and car_horn table (spectral checks off: the
/// bench's synthetic sounds are not recordings), as in the agent's tests.
func writeRelaxedTable() throws -> String {
    let table = SignatureTable.relaxedForSyntheticSounds()
    let path = dir + "/table.json"
    try SignatureFile.encode(table).write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

// The counter must see an allocation made by the thread it watches.
MallocInterposerSwift.initialize()
MallocInterposerSwift.setAllocationHook(allocationHook)
analysisThread.store(UInt(pthread_self()), ordering: .relaxed)
MallocInterposerSwift.hook()
let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
MallocInterposerSwift.unhook()
probe.deallocate()
guard analysisAllocations.exchange(0, ordering: .relaxed) >= 1 else {
    fail("the malloc counter is not active (run with LD_PRELOAD=libMallocInterposerSwift.so)")
}
analysisThread.store(0, ordering: .relaxed)

// MARK: 1. steady state, no events: allocations on the analysis thread, CPU, RSS

let quietPath = dir + "/quiet.wav"
var quietNoise = Noise(state: 7)
try writeWAV(quietPath, count: Int(steadySeconds * Double(rate))) { _ in quietNoise.next() * 0.006 }
let warmupHops: Int64 = 300
let measuredHops = Int64(steadySeconds * 100) - warmupHops - 10
var steady = AgentOptions(sitePath: try writeSite(table: nil))
steady.inputFile = quietPath
steady.ringSeconds = 2
let hook: @Sendable (Int64) -> Void = { hop in
    if hop == warmupHops {
        analysisThread.store(UInt(pthread_self()), ordering: .relaxed)
        countingOn.store(true, ordering: .relaxed)
        threadCPUStart.store(threadCPUNanoseconds(), ordering: .relaxed)
        processCPUStart.store(processCPUMicroseconds(), ordering: .relaxed)
        MallocInterposerSwift.hook()
    } else if hop == warmupHops + measuredHops {
        MallocInterposerSwift.unhook()
        threadCPUEnd.store(threadCPUNanoseconds(), ordering: .relaxed)
        processCPUEnd.store(processCPUMicroseconds(), ordering: .relaxed)
        countedHops.store(measuredHops, ordering: .relaxed)
        countingDone.store(true, ordering: .releasing)
    }
}
let agentA: Agent
do { agentA = try Agent(options: steady, hopHook: hook) } catch { fail(error.message) }
let cpu0 = cpuSeconds()
let t0 = Date()
do { try agentA.start() } catch { fail(error.message) }
while !(agentA.pipeline?.analysis.reachedEndOfInput ?? true) {
    if Date().timeIntervalSince(t0) > 600 { fail("steady-state run did not finish") }
    usleep(10_000)
}
let cpu1 = cpuSeconds()
let hopsA = agentA.pipeline?.analysis.hops ?? 0
let eventsA = agentA.pipeline?.analysis.eventCount ?? 0
agentA.shutdown()
guard countingDone.load(ordering: .acquiring) else { fail("allocation window not reached (\(hopsA) hops)") }
let allocs = analysisAllocations.load(ordering: .relaxed)
let countedAudioSeconds = Double(countedHops.load(ordering: .relaxed)) / 100
print("steady_audio_s=\(Double(hopsA) / 100)")
print("steady_events=\(eventsA)")
print("analysis_thread_allocations=\(allocs) over \(countedAudioSeconds) s of audio")
print("allocs_per_audio_s=\(Double(allocs) / countedAudioSeconds)")
print("cpu_unpaced_with_startup_s_per_audio_s=\(String(format: "%.5f", (cpu1 - cpu0) / (Double(hopsA) / 100)))")
print("cpu_unpaced_s_per_audio_s=\(String(format: "%.5f", Double(processCPUEnd.load(ordering: .relaxed) - processCPUStart.load(ordering: .relaxed)) / 1e6 / countedAudioSeconds))")
print("analysis_thread_cpu_s_per_audio_s=\(String(format: "%.5f", Double(threadCPUEnd.load(ordering: .relaxed) - threadCPUStart.load(ordering: .relaxed)) / 1e9 / countedAudioSeconds))")
print("unpaced_speed_x_realtime=\(String(format: "%.0f", (Double(hopsA) / 100) / Date().timeIntervalSince(t0)))")

// MARK: 2. latency: onset in real-time-paced audio → PUBACK

struct Pending { var onset: Int64; var klass: String }
let fileStart = Atomic<Int64>(0)
let pending = Mutex<[UInt64: Pending]>([:])
let latencies = Mutex<[(String, Double)]>([])
let eventfulPath = dir + "/events.wav"
do {
    let x = eventful(latencySeconds)
    try writeWAV(eventfulPath, count: x.count) { x[$0] }
}
var paced = AgentOptions(sitePath: try writeSite(table: try writeRelaxedTable()))
paced.inputFile = eventfulPath
paced.realtime = true
let agentB: Agent
do {
    agentB = try Agent(options: paced, onEventStored: { record, onset, klass in
        let ack = pending.withLock { p -> Bool in
            if p[record] == nil { p[record] = Pending(onset: onset, klass: klass); return false }
            return true
        }
        _ = ack
    }, onAcknowledged: { record, kind in
        guard kind == .event else { return }
        let now = AgentClock.monotonicNanoseconds()
        if let p = pending.withLock({ $0.removeValue(forKey: record) }) {
            // Shots are at 0.5 + 2k s of the file: a gunshot elsewhere (a horn's onset) is a false alarm.
            let at = Double(p.onset - fileStart.load(ordering: .relaxed)) / 1e9
            let phase = at.truncatingRemainder(dividingBy: 2)
            let klass = p.klass == "gunshot" && abs(phase - 0.5) > 0.1 ? "gunshot_at_horn" : p.klass
            latencies.withLock { $0.append((klass, Double(now - p.onset) / 1e6)) }
        }
    })
} catch { fail(error.message) }
do { try agentB.start() } catch { fail(error.message) }
fileStart.store(agentB.pipeline?.input.fileStartMonotonicNanoseconds ?? 0, ordering: .relaxed)
let t1 = Date()
while !(agentB.pipeline?.analysis.reachedEndOfInput ?? true) && Date().timeIntervalSince(t1) < latencySeconds + 30 { usleep(20_000) }
usleep(500_000)
agentB.shutdown()
let lat = latencies.withLock { $0 }
func percentile(_ v: [Double], _ p: Double) -> Double {
    guard !v.isEmpty else { return .nan }
    let s = v.sorted()
    return s[min(s.count - 1, Int((p / 100 * Double(s.count)).rounded(.up)) - 1)]
}
let impulsive: Set<String> = ["gunshot", "gunshot_at_horn", "explosion", "glass_break", "loud_impulse"]
let all = lat.map(\.1)
let imp = lat.filter { impulsive.contains($0.0) }.map(\.1)
let sus = lat.filter { !impulsive.contains($0.0) }.map(\.1)
print("latency_events=\(lat.count) classes=\(Dictionary(grouping: lat, by: \.0).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))")
print("latency_p50_ms=\(String(format: "%.1f", percentile(all, 50)))")
print("latency_p99_ms=\(String(format: "%.1f", percentile(all, 99)))")
print("latency_impulsive_p50_ms=\(String(format: "%.1f", percentile(imp, 50)))")
print("latency_impulsive_p99_ms=\(String(format: "%.1f", percentile(imp, 99)))")
let shots = lat.filter { $0.0 == "gunshot" }.map(\.1)
print("latency_shot_p50_ms=\(String(format: "%.1f", percentile(shots, 50)))")
print("latency_shot_p99_ms=\(String(format: "%.1f", percentile(shots, 99)))")
print("latency_sustained_p50_ms=\(String(format: "%.1f", percentile(sus, 50)))")
print("latency_sustained_p99_ms=\(String(format: "%.1f", percentile(sus, 99)))")

// MARK: 3. the real `earshot run`: CPU per audio second paced in real time, peak RSS

/// The whole text of a /proc file (String(contentsOfFile:) may stop at the first page of a 0-sized proc file).
func procText(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Run time of every thread of `pid`, ns, by thread name (/proc/PID/task/*/schedstat field 1, comm).
func threadsRunNanoseconds(_ pid: Int32) -> [String: Int64] {
    guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [:] }
    var byName: [String: Int64] = [:]
    for t in tasks {
        guard let text = procText("/proc/\(pid)/task/\(t)/schedstat"),
              let first = text.split(separator: " ").first, let ns = Int64(first) else { continue }
        let name = (procText("/proc/\(pid)/task/\(t)/comm") ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
        byName[name, default: 0] += ns
    }
    return byName
}

/// Context switches (voluntary + involuntary) of every thread of `pid`, by thread name
/// (/proc/PID/task/*/status): each sleep-and-wake of a thread is one.
func threadsSwitches(_ pid: Int32) -> [String: Int64] {
    guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [:] }
    var byName: [String: Int64] = [:]
    for t in tasks {
        guard let text = procText("/proc/\(pid)/task/\(t)/status") else { continue }
        let n = text.split(separator: "\n").filter { $0.contains("ctxt_switches:") }
            .compactMap { Int64($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).last ?? "") }.reduce(0, +)
        let name = (procText("/proc/\(pid)/task/\(t)/comm") ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
        byName[name, default: 0] += n
    }
    return byName
}

func statusKiB(_ pid: Int32, _ key: String) -> Double {
    guard let s = procText("/proc/\(pid)/status"),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
          let kb = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return -1 }
    return kb
}

let earshotPath = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("earshot").path
if FileManager.default.isExecutableFile(atPath: earshotPath) {
    let pacedPath = dir + "/paced.wav"
    var pacedNoise = Noise(state: 11)
    try writeWAV(pacedPath, count: Int((pacedSeconds + 6) * Double(rate))) { _ in pacedNoise.next() * 0.006 }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: earshotPath)
    child.arguments = ["run", "--config", try writeSite(table: nil), "--input", pacedPath, "--realtime", "--log-level", "warning"]
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "LD_PRELOAD")  // the real process, without the malloc counter
    child.environment = env
    child.standardOutput = FileHandle.nullDevice
    child.standardError = FileHandle.nullDevice
    try child.run()
    usleep(3_000_000)
    let pid = child.processIdentifier
    let c0 = threadsRunNanoseconds(pid), s0 = threadsSwitches(pid), w0 = Date()
    usleep(UInt32(pacedSeconds * 1e6))
    let c1 = threadsRunNanoseconds(pid), s1 = threadsSwitches(pid), w1 = Date()
    let hwm = statusKiB(pid, "VmHWM"), threads = statusKiB(pid, "Threads")
    if let maps = procText("/proc/\(pid)/smaps") {
        // Resident KiB per mapped file (anonymous mappings together), largest first.
        var perFile: [String: Int] = [:]
        var current = "[anon]"
        for line in maps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                current = fields.count > 5 ? String(fields[5].split(separator: "/").last ?? "") : "[anon]"
            } else if line.hasPrefix("Rss:") {
                perFile[current, default: 0] += Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            }
        }
        let top = perFile.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key):\(String(format: "%.1f", Double($0.value) / 1024))" }
        print("earshot_run_rss_breakdown_mib=\(top.joined(separator: ","))")
    }
    kill(pid, SIGTERM)
    child.waitUntilExit()
    let audio = w1.timeIntervalSince(w0)
    print("earshot_run_threads=\(Int(threads))")
    print("earshot_run_period_frames=\(AudioSettings(rate: rate).periodFrames)")
    let perThread = c1.map { ($0.key, Double($0.value - (c0[$0.key] ?? 0)) / 1e9 / audio) }.sorted { $0.1 > $1.1 }
    print("earshot_run_cpu_by_thread=\(perThread.map { "\($0.0):\(String(format: "%.5f", $0.1))" }.joined(separator: ","))")
    let wakeups = s1.map { ($0.key, Double($0.value - (s0[$0.key] ?? 0)) / audio) }.sorted { $0.1 > $1.1 }
    print("earshot_run_wakeups_per_s_by_thread=\(wakeups.map { "\($0.0):\(String(format: "%.1f", $0.1))" }.joined(separator: ","))")
    print("cpu_s_per_audio_s=\(String(format: "%.5f", perThread.reduce(0) { $0 + $1.1 }))")
    print("rss_mib=\(String(format: "%.1f", hwm / 1024))")
} else {
    print("earshot_run: \(earshotPath) not built (swift build -c release --product earshot); rss_mib and cpu_s_per_audio_s not measured")
}
print("bench_process_rss_mib=\(String(format: "%.1f", peakRSSMiB()))")
exit(0)
