// earshot-mqtt-probe: a child process for MQTT tests that must kill a client
// (last will, outbox replay after SIGKILL). Not part of the product.
//
//   earshot-mqtt-probe will    --port P --site S --sensor X --outbox DIR
//   earshot-mqtt-probe produce --port P --site S --sensor X --outbox DIR --count N --interval-ms M
//   earshot-mqtt-probe alloc   --port P --outbox DIR   (with LD_PRELOAD of a malloc counter exporting
//                              earshot_alloc_total/earshot_alloc_thread: allocations per telemetry/event publish)
//
// Prints "connected" once connected (will) and "id <event id>" after each event is
// in the outbox (fsync'ed), then sleeps until killed.
import EarshotMQTT
import Glibc

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func say(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
}

let mode = CommandLine.arguments.dropFirst().first ?? ""
guard mode == "will" || mode == "produce" || mode == "alloc", let port = option("port").flatMap({ Int($0) }),
      let outbox = option("outbox") else {
    say("usage: earshot-mqtt-probe will|produce --port P --outbox DIR [--site S --sensor X --count N --interval-ms M]")
    exit(2)
}
var config = MQTTConfiguration(site: option("site") ?? "probe-site", sensor: option("sensor") ?? "probe",
                               outboxDirectory: outbox)
config.port = port
config.keepAliveSeconds = 5
config.reconnect = ReconnectPolicy(initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2)
do {
    let publisher = try MQTTPublisher(configuration: config)
    try publisher.start()
    if mode == "will" {
        if let error = publisher.waitUntilConnected(timeoutMs: 5000) { say("error \(error)"); exit(1) }
        say("connected")
    } else if mode == "alloc" {
        if let error = publisher.waitUntilConnected(timeoutMs: 5000) { say("error \(error)"); exit(1) }
        typealias Counter = @convention(c) () -> Int
        guard let totalSym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "earshot_alloc_total"),
              let threadSym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "earshot_alloc_thread") else {
            say("error no malloc counter preloaded"); exit(1)
        }
        let total = unsafeBitCast(totalSym, to: Counter.self), mine = unsafeBitCast(threadSym, to: Counter.self)
        let telemetry = TelemetryMessage(intervalStart: .now(), intervalSeconds: 1, unit: .dBSPL, laeq: 60, lamax: 70,
                                         lamin: 50, la90: 52, bands: OctaveBandLevels(SIMD8(repeating: 55)))
        func settle(_ n: UInt64) { while publisher.outboxStats.acknowledged < n { usleep(1000) } }
        for _ in 0..<100 { _ = try publisher.publish(telemetry: telemetry); usleep(500) }
        settle(100)
        let n = 1000
        let (t0, m0) = (total(), mine())
        for _ in 0..<n { _ = try publisher.publish(telemetry: telemetry); usleep(500) }
        let m1 = mine()
        settle(UInt64(100 + n))
        let t1 = total()
        say("telemetry allocs_per_publish caller_thread=\(Double(m1 - m0) / Double(n)) all_threads=\(Double(t1 - t0) / Double(n))")
        // The outbox alone (append + fdatasync), same payload size, no network.
        let side = try Outbox(directory: outbox + "-side")
        let bytes = [UInt8](repeating: 0x41, count: 420)
        let topic = "earshot/v1/x/y/telemetry"
        let o0 = mine()
        for _ in 0..<n { _ = try bytes.withUnsafeBytes { try side.append(kind: .telemetry, qos: 0, retain: false, topic: topic, payload: $0) } }
        say("outbox_append allocs_per_append=\(Double(mine() - o0) / Double(n))")
        // Encode + append without a connection (no libmosquitto call).
        var offline = config
        offline.outboxDirectory = outbox + "-offline"
        let unconnected = try MQTTPublisher(configuration: offline)
        let u0 = mine()
        for _ in 0..<n { _ = try unconnected.publish(telemetry: telemetry) }
        say("telemetry_unconnected allocs_per_publish=\(Double(mine() - u0) / Double(n))")
        let event = EventMessage(eventClass: "gunshot", onset: .now(), durationMs: 10, peakDBFS: -3, confidence: 0.9)
        let (e0, em0) = (total(), mine())
        for _ in 0..<n { _ = try publisher.publish(event: event); usleep(500) }
        let em1 = mine()
        settle(UInt64(100 + 2 * n))
        let e1 = total()
        say("event allocs_per_publish caller_thread=\(Double(em1 - em0) / Double(n)) all_threads=\(Double(e1 - e0) / Double(n))")
        publisher.stop()
        exit(0)
    } else {
        let count = option("count").flatMap { Int($0) } ?? 100
        let interval = option("interval-ms").flatMap { Int($0) } ?? 5
        for i in 0..<count {
            let event = EventMessage(eventClass: "gunshot", onset: .now(), clock: ClockSync(synchronised: true, estimatedErrorMicroseconds: 500),
                                     durationMs: 12, peakDBFS: -3.5, confidence: 0.9, sector: i % 4)
            let receipt = try publisher.publish(event: event)
            say("id \(receipt.eventID)")
            usleep(UInt32(interval * 1000))
        }
        say("done")
    }
    while true { sleep(60) }
} catch {
    say("error \(error)")
    exit(1)
}
