// earshot-soak: hours of synthetic street audio through the whole agent (issue 7 "Soak").
//   LD_PRELOAD=<dir>/libMallocInterposerSwift.so earshot-soak [hours]     (or SOAK_HOURS; default 24)
//   LD_PRELOAD=… earshot-soak --status-allocs [N]   the status path alone, N counted statuses (StatusAllocCheck.swift)
// The agent runs in process as `earshot run` would, with its capture replaced by the file
// feeder (one sparse file written ahead of it, see SegmentStream.swift) at full speed, the relaxed
// synthetic signature table (the default table is tuned on recordings and misses these
// synthetic shots), a real mosquitto on 127.0.0.1 started here, and an independent
// `mosquitto_sub` child process writing every event payload to a file.
// Prints key=value lines ending with
//   soak_audio_h=… rss_growth_kib=… allocs_steady=… events_inserted=… events_detected=…
//   events_delivered=… outbox_bytes_end=…
// rss_growth_kib: max RSS sampled at the end of each hour (the last one 10 s before the end of
// the audio) minus RSS at the end of the warm-up (first hour; 15 min for runs shorter than 2 h).
// rss_anon/file_kib_by_hour split it into anonymous memory (heap, stacks) and mapped files
// (code pages); SOAK_SMAPS_DIR=<dir> copies /proc/self/smaps at both instants for a diff.
// status_published: retained status messages (each with its sd_notify STATUS=) the agent published:
// the forced one at start, then one per 30 s of simulated audio (the agent's status clock is the
// audio time here, StatusTicker.swift), 24 h → 2880; status_expected is that count.
// allocs_steady: heap allocations after the warm-up by the agent's threads (the status thread included), not made by libmosquitto
// (the census unwinds every allocation from the agent's start, so the unwinder's own page-ins
// happen during the warm-up; SOAK_CENSUS_UNWIND=0 counts by thread only; SOAK_TRACE_ALLOCS=N
// prints the stacks of the first N counted non-libmosquitto allocations).
// The audio is one sparse WAV opened once by the agent (SegmentStream.swift).
// events_detected / events_delivered: inserted events with a detection of the right class
// (onset within −0.1…+0.5 s) stored by the agent / received by the subscriber (distinct ids).
// pipeline …: what the detector emitted (every impulse/start/end) vs what the dispatcher stored
// vs the distinct ids the subscriber got — the pipeline's exactly-once, apart from detection;
// inserted_missed_by_detector lists inserted events the detector never reported (not a loss).
// Exit 1 when a target is missed (RSS growth > 64 KiB, allocs_steady > 0, an inserted event not
// delivered exactly once, a detector event not delivered, or status_published ≠ status_expected).
import EarshotAgent
import EarshotDetection
import EarshotText
import EarshotSignatures
import EarshotTestSupport
import Foundation
import MallocInterposerSwift
import Synchronization

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data("earshot-soak: \(text)\n".utf8))
    exit(2)
}

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "--status-allocs" {
    let n = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 200 : 200
    exit(StatusAllocCheck.run(count: n))  // StatusAllocCheck.swift
}
let hoursArg = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ProcessInfo.processInfo.environment["SOAK_HOURS"]
let hours = Double(hoursArg ?? "24") ?? 24
guard hours >= 1 else { fail("hours must be at least 1 (got \(hoursArg ?? ""))") }
let rate = StreetSynth.rate
let segmentSeconds = 60
let totalFrames = Int64(hours * 3600) * Int64(rate)
let plan = SegmentPlan(segmentFrames: Int64(segmentSeconds * rate),
                       segments: (totalFrames + Int64(segmentSeconds * rate) - 1) / Int64(segmentSeconds * rate),
                       marginFrames: Int64(3 * rate))

// MARK: malloc interposer check

guard AllocationCensus.interposerActive() else {
    fail("the malloc counter is not active (run with LD_PRELOAD=libMallocInterposerSwift.so; `make soak` does)")
}

// MARK: broker, files, subscriber

let dir = try makeTemporaryDirectory(prefix: "earshot-soak")
let broker = try MosquittoBroker()
try broker.start()

let boardPath = dir + "/board.toml"
try "name = \"soak\"\n[audio]\ndevice = \"unused\"\nrate = 16000\nchannels = 1\n[microphone]\n".write(toFile: boardPath, atomically: true, encoding: .utf8)
let tablePath = dir + "/table.json"
try SignatureFile.encode(SignatureTable.relaxedForSyntheticSounds()).write(toFile: tablePath, atomically: true, encoding: .utf8)
let sitePath = dir + "/site.toml"
try TestSiteFile(sensor: "soak", site: "soak", board: boardPath, port: broker.port, outbox: dir + "/outbox",
                 fastReconnect: false, telemetryS: 60, logLevel: "warning", table: tablePath)
    .text.write(toFile: sitePath, atomically: true, encoding: .utf8)

let subscriberLog = dir + "/events.txt"
_ = FileManager.default.createFile(atPath: subscriberLog, contents: nil)
let subscriber = Process()
subscriber.executableURL = URL(fileURLWithPath: "/usr/bin/stdbuf")
subscriber.arguments = ["-oL", "/usr/bin/mosquitto_sub", "-d", "-h", "127.0.0.1", "-p", String(broker.port), "-q", "1",
                        "-i", "earshot-soak-counter", "-t", "earshot/v1/soak/soak/event", "-F", "EVT %p",
                        "-W", String(Int(hours * 3600 / 10) + 600)]
subscriber.standardOutput = FileHandle(forWritingAtPath: subscriberLog)
subscriber.standardError = FileHandle.nullDevice
try subscriber.run()
guard waitUntil(timeout: 10, { ((try? String(contentsOfFile: subscriberLog, encoding: .utf8)) ?? "").contains("SUBACK") }) else {
    fail("mosquitto_sub did not subscribe within 10 s")
}

// MARK: audio stream

let streamPath = dir + "/stream.wav"
var synth = StreetSynth(seed: 20_261_123, hours: hours)
guard let stream = StreamFile(path: streamPath, segmentFrames: segmentSeconds * rate, segments: plan.segments, rate: rate) else {
    fail("cannot create the sparse stream file \(streamPath) (\(plan.segments) segments of \(segmentSeconds) s; at most 37 h fit a WAV)")
}
guard stream.write(segment: 0, from: &synth) else { fail("cannot write segment 0 to \(streamPath)") }
var written: Int64 = 1  // segments generated
if plan.segments > 1 { guard stream.write(segment: 1, from: &synth) else { fail("cannot write segment 1") }; written = 2 }
segmentInPlace.store(written - 1, ordering: .releasing)

// MARK: detections (dispatcher thread; preallocated, no growth)

let detectionCapacity = 1 << 16
nonisolated(unsafe) let detectionOnsets = UnsafeMutablePointer<Int64>.allocate(capacity: detectionCapacity)
nonisolated(unsafe) let detectionClasses = UnsafeMutablePointer<UInt8>.allocate(capacity: detectionCapacity)
let detectionCount = Atomic<Int>(0)

// MARK: agent

AllocationCensus.prepare(traceAllocations: Int(ProcessInfo.processInfo.environment["SOAK_TRACE_ALLOCS"] ?? "0") ?? 0,
                         unwind: ProcessInfo.processInfo.environment["SOAK_CENSUS_UNWIND"] != "0")
var options = AgentOptions(sitePath: sitePath)
options.inputFile = streamPath
options.loop = false  // one sparse file, opened once (SegmentStream.swift)
options.exitAfterAudioSeconds = hours * 3600
options.ringSeconds = 1
let agent: Agent
do {
    agent = try Agent(options: options, onEventStored: { _, onset, klass in
        let i = detectionCount.add(1, ordering: .relaxed).oldValue
        guard i < detectionCapacity else { return }
        detectionOnsets[i] = onset
        detectionClasses[i] = klass == "gunshot" ? 0 : klass == "car_horn" ? 1 : 2
    }, hopHook: { hop in
        hopsAnalysed.store(hop, ordering: .relaxed)
        plan.holdIfAhead(afterHop: hop)
    }, statusClock: {
        // Simulated audio time at the start of the last analysed hop, ns (10 ms hops).
        (max(hopsAnalysed.load(ordering: .relaxed), 1) - 1) * 10_000_000
    })
} catch { fail(error.message) }

MallocInterposerSwift.setAllocationHook(AllocationCensus.hook)
MallocInterposerSwift.hook()  // unwinding from the start; counted after the warm-up (AllocationCensus.recording)
let wall0 = Date()
do { try agent.start() } catch { fail(error.message) }
guard let pipeline = agent.pipeline, let fileStart = pipeline.input.fileStartMonotonicNanoseconds else { fail("no pipeline after start") }
let statusTicker = StatusTicker(agent: agent, pipeline: pipeline)
statusTicker.start()
var ts = timespec()
clock_gettime(CLOCK_REALTIME, &ts)
let realNow = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
let utcOfSample0 = fileStart + (realNow - AgentClock.monotonicNanoseconds())

// MARK: driver loop: segments, hourly RSS, allocation window

let hourCount = Int(hours.rounded(.down))
nonisolated(unsafe) let rssByHour = UnsafeMutablePointer<Int>.allocate(capacity: hourCount + 1)
rssByHour.initialize(repeating: -1, count: hourCount + 1)
nonisolated(unsafe) let anonByHour = UnsafeMutablePointer<Int>.allocate(capacity: hourCount + 1)
anonByHour.initialize(repeating: -1, count: hourCount + 1)
nonisolated(unsafe) let fileByHour = UnsafeMutablePointer<Int>.allocate(capacity: hourCount + 1)
fileByHour.initialize(repeating: -1, count: hourCount + 1)
func sampleRSS(hour: Int) {
    rssByHour[hour] = ProcStatus.rssKiB(); anonByHour[hour] = ProcStatus.anonKiB(); fileByHour[hour] = ProcStatus.fileKiB()
}
sampleRSS(hour: 0)
var nextHour = 1
let framesPerHour = Int64(3600 * rate)
var counting = false
// Steady state starts after the first hour (after 15 min when the run is shorter than 2 h).
let warmupFrames = hours >= 2 ? framesPerHour : framesPerHour / 4
var rssAtWarmup = -1
var anonAtWarmup = -1, fileAtWarmup = -1
var lastProgress = Date()
var lastHops: Int64 = 0
var lastReport = Date()
let verbose = ProcessInfo.processInfo.environment["SOAK_VERBOSE"] != nil
/// SOAK_SMAPS_DIR: where /proc/self/smaps is copied at the end of the warm-up and of the analysis.
let smapsDir = ProcessInfo.processInfo.environment["SOAK_SMAPS_DIR"]
while !pipeline.analysis.reachedEndOfInput {
    let hops = hopsAnalysed.load(ordering: .relaxed)
    let consumed = hops * SegmentPlan.hopFrames
    let inPlace = segmentInPlace.load(ordering: .relaxed)
    // Keep the segment after the one being analysed written; free the ones before it.
    let current = consumed / plan.segmentFrames
    while written < plan.segments && written <= current + 1 {
        guard stream.write(segment: written, from: &synth) else { fail("cannot write segment \(written) to \(streamPath)") }
        segmentInPlace.store(written, ordering: .releasing)
        written += 1
        stream.punch(segment: current - 2)
    }
    if !counting && consumed >= warmupFrames {
        rssAtWarmup = ProcStatus.rssKiB(); anonAtWarmup = ProcStatus.anonKiB(); fileAtWarmup = ProcStatus.fileKiB()
        if let smapsDir { ProcStatus.copySmaps(to: smapsDir + "/smaps-warmup.txt") }
        AllocationCensus.recording.store(true, ordering: .relaxed)
        counting = true
    }
    // The last sample is taken 10 s before the end of the audio (still steady state; the
    // end of input runs code paths of its own, reported separately as rss_after_end_kib).
    while nextHour <= hourCount && consumed >= min(Int64(nextHour) * framesPerHour, totalFrames - 10 * Int64(rate)) {
        sampleRSS(hour: nextHour)
        nextHour += 1
    }
    if hops != lastHops { lastHops = hops; lastProgress = Date() }
    if verbose && Date().timeIntervalSince(lastReport) > 10 {
        lastReport = Date()
        FileHandle.standardError.write(Data("earshot-soak: audio \(String(format: "%.2f", Double(consumed) / Double(framesPerHour))) h, segment \(inPlace) in place, \(written) written, hook waits \(hookWaits.load(ordering: .relaxed)), detections \(detectionCount.load(ordering: .relaxed))\n".utf8))
    }
    if Date().timeIntervalSince(lastProgress) > 60 { fail("no progress for 60 s at hop \(hops) (segment \(inPlace) in place)") }
    usleep(500)
}
statusTicker.stop()
AllocationCensus.recording.store(false, ordering: .relaxed)
MallocInterposerSwift.unhook()
MallocInterposerSwift.setAllocationHook(nil)
let wallAnalysis = Date().timeIntervalSince(wall0)
let hopsDone = hopsAnalysed.load(ordering: .relaxed)
while nextHour <= hourCount { sampleRSS(hour: nextHour); nextHour += 1 }
// RSS at the end of the analysis, before the driver parses the subscriber's log (Foundation, JSON).
let rssEnd = ProcStatus.rssKiB()
if let smapsDir { ProcStatus.copySmaps(to: smapsDir + "/smaps-end.txt") }

// MARK: drain, stop

let drainStart = Date()
while (agent.publisher?.outboxStats.pendingEvents ?? 0) > 0 && Date().timeIntervalSince(drainStart) < 60 { usleep(20_000) }
usleep(1_000_000)
guard let outboxEnd = agent.publisher?.outboxStats else { fail("no publisher at the end") }
let outboxDirBytes = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/outbox"))?.reduce(0) { sum, name in
    sum + ((try? FileManager.default.attributesOfItem(atPath: dir + "/outbox/" + name)[.size] as? Int) ?? 0)
} ?? -1
let published = pipeline.dispatcher.eventsPublished
let statusPublished = agent.statusPublished
// The forced status at start, then one per 30 s of audio before the end of the input.
let statusExpected = 1 + Int((hours * 3600 - 1) / 30)
let detectorEmitted = pipeline.analysis.eventCount
let queueDropped = pipeline.queue.dropped
agent.shutdown()
subscriber.terminate()
subscriber.waitUntilExit()
broker.stop()

// MARK: score

let inserted = synth.events.filter { $0.onsetSample < hopsDone * SegmentPlan.hopFrames - Int64(rate) }
let nDetections = min(detectionCount.load(ordering: .relaxed), detectionCapacity)
func matches(_ e: InsertedEvent, audioSeconds t: Double, classCode: UInt8) -> Bool {
    let t0 = Double(e.onsetSample) / Double(rate)
    return classCode == e.kind.rawValue && t >= t0 - 0.1 && t <= t0 + 0.5
}
/// Index of the inserted event a detection at `t` s of class `code` belongs to (binary search).
func insertedIndex(audioSeconds t: Double, classCode: UInt8) -> Int? {
    var lo = 0, hi = inserted.count
    while lo < hi { let mid = (lo + hi) / 2; if Double(inserted[mid].onsetSample) / Double(rate) < t - 0.5 { lo = mid + 1 } else { hi = mid } }
    var i = lo
    while i < inserted.count && Double(inserted[i].onsetSample) / Double(rate) <= t + 0.1 {
        if matches(inserted[i], audioSeconds: t, classCode: classCode) { return i }
        i += 1
    }
    return nil
}
var detectedPer = [Int](repeating: 0, count: inserted.count)
var detectionsUnmatched = 0
for i in 0..<nDetections {
    let t = Double(detectionOnsets[i] - fileStart) / 1e9
    if let k = insertedIndex(audioSeconds: t, classCode: detectionClasses[i]) { detectedPer[k] += 1 } else { detectionsUnmatched += 1 }
}

var deliveredIDs = Set<String>()
var messagesReceived = 0
var deliveredPer = [Int](repeating: 0, count: inserted.count)
var deliveredUnmatched = 0
var endMessages = 0
let lines = ((try? String(contentsOfFile: subscriberLog, encoding: .utf8)) ?? "").split(separator: "\n")
for line in lines where line.hasPrefix("EVT ") {
    messagesReceived += 1
    guard let obj = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(4).utf8)) as? [String: Any],
          let id = obj["id"] as? String, let klass = obj["class"] as? String, let phase = obj["phase"] as? String,
          let onsetNs = (obj["onset_ns"] as? NSNumber)?.int64Value else { continue }
    guard deliveredIDs.insert(id).inserted else { continue }
    if phase == "end" { endMessages += 1; continue }
    let code: UInt8 = klass == "gunshot" ? 0 : klass == "car_horn" ? 1 : 2
    let t = Double(onsetNs - utcOfSample0) / 1e9
    if let k = insertedIndex(audioSeconds: t, classCode: code) { deliveredPer[k] += 1 } else { deliveredUnmatched += 1 }
}

// Pipeline (what the detector emitted vs what the subscriber got, after dedup): the dispatcher
// stored events with sequence numbers 1…published of this boot; every one must arrive.
var deliveredSeqs = Set<UInt64>()
for id in deliveredIDs { if let seq = id.split(separator: "-").last.flatMap({ UInt64($0) }) { deliveredSeqs.insert(seq) } }
let pipelineMissing = published == 0 ? [] : (1...published).filter { !deliveredSeqs.contains($0) }
func describe(_ e: InsertedEvent) -> String { String(format: "%.2f", Double(e.onsetSample) / Double(rate)) + "s:" + e.kind.className }
let missedByDetector = inserted.indices.filter { detectedPer[$0] == 0 }.map { describe(inserted[$0]) }
let lostAfterDetection = inserted.indices.filter { detectedPer[$0] > 0 && deliveredPer[$0] == 0 }.map { describe(inserted[$0]) }

let audioHours = Double(hopsDone) / 360_000
let rssMax = (1...max(1, hourCount)).map { rssByHour[$0] }.max() ?? rssEnd
let rssGrowth = rssMax - rssAtWarmup
let allocsSteady = AllocationCensus.agentNonMosquitto
let detected = detectedPer.filter { $0 > 0 }.count
let delivered = deliveredPer.filter { $0 > 0 }.count
let deliveredOnce = deliveredPer.filter { $0 == 1 }.count

print("soak_wall_s=\(String(format: "%.1f", wallAnalysis)) x_realtime=\(String(format: "%.0f", audioHours * 3600 / wallAnalysis)) segments=\(segmentInPlace.load(ordering: .relaxed) + 1) hook_wait_polls=\(hookWaits.load(ordering: .relaxed))")
print("rss_kib_by_hour=" + (0...hourCount).map { String(rssByHour[$0]) }.joined(separator: ","))
print("rss_anon_kib_by_hour=" + (0...hourCount).map { String(anonByHour[$0]) }.joined(separator: ","))
print("rss_file_kib_by_hour=" + (0...hourCount).map { String(fileByHour[$0]) }.joined(separator: ","))
print("rss_peak_kib=\(ProcStatus.peakKiB()) rss_at_warmup_kib=\(rssAtWarmup) anon_at_warmup_kib=\(anonAtWarmup) file_at_warmup_kib=\(fileAtWarmup) warmup_h=\(Double(warmupFrames) / Double(framesPerHour))")
print("allocs_after_warmup " + (0..<AllocationCensus.threadNames.count - 1).map { "\(AllocationCensus.threadNames[$0])=\(AllocationCensus.count(thread: $0, mosquitto: false))+\(AllocationCensus.count(thread: $0, mosquitto: true))mosq" }.joined(separator: " "))
print("allocs_libmosquitto=\(AllocationCensus.agentMosquitto)")
print("events_by_kind inserted_shots=\(inserted.filter { $0.kind == .shot }.count) inserted_horns=\(inserted.filter { $0.kind == .horn }.count) detections=\(nDetections) detections_unmatched=\(detectionsUnmatched) events_published=\(published)")
print("delivery messages=\(messagesReceived) distinct_ids=\(deliveredIDs.count) end_messages=\(endMessages) duplicate_messages=\(messagesReceived - deliveredIDs.count) delivered_unmatched=\(deliveredUnmatched) delivered_exactly_once=\(deliveredOnce) delivered_more_than_once=\(deliveredPer.filter { $0 > 1 }.count)")
print("outbox_end pending_records=\(outboxEnd.pendingRecords) pending_events=\(outboxEnd.pendingEvents) live_bytes=\(outboxEnd.liveBytes) file_bytes=\(outboxEnd.fileBytes) dir_bytes=\(outboxDirBytes) dropped_events=\(outboxEnd.droppedEvents)")
// detector_emitted counts every event the analysis thread handed on (impulse, start, end).
let pipelineOK = detectorEmitted == published && queueDropped == 0 && pipelineMissing.isEmpty && deliveredSeqs.count == Int(published)
print("pipeline detector_emitted=\(detectorEmitted) queue_dropped=\(queueDropped) stored=\(published) delivered_distinct=\(deliveredSeqs.count) missing_seqs=\(pipelineMissing.map(String.init).joined(separator: ",")) pipeline_exactly_once=\(pipelineOK ? 1 : 0)")
print("inserted_missed_by_detector=\(missedByDetector.count) [\(missedByDetector.joined(separator: " "))] detected_not_delivered=\(lostAfterDetection.count) [\(lostAfterDetection.joined(separator: " "))]")
print("soak_audio_h=\(String(format: "%g", (audioHours * 100).rounded() / 100)) rss_growth_kib=\(rssGrowth) allocs_steady=\(allocsSteady) events_inserted=\(inserted.count) events_detected=\(detected) events_delivered=\(delivered) outbox_bytes_end=\(outboxEnd.fileBytes) status_published=\(statusPublished) status_expected=\(statusExpected)")
print("rss_after_end_kib=\(rssEnd) (end of input; not part of rss_growth_kib)")
let pass = rssGrowth <= 64 && allocsSteady == 0 && deliveredOnce == inserted.count && pipelineOK && statusPublished == statusExpected
print("soak_pass=\(pass ? 1 : 0)")
try? FileManager.default.removeItem(atPath: dir)
exit(pass ? 0 : 1)
