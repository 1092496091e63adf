// earshot-mqtt-probe: a child process for MQTT tests that must kill a client
// (last will, outbox replay after SIGKILL). Not part of the product.
//
//   earshot-mqtt-probe will    --port P --site S --sensor X --outbox DIR
//   earshot-mqtt-probe produce --port P --site S --sensor X --outbox DIR --count N --interval-ms M
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
guard mode == "will" || mode == "produce", let port = option("port").flatMap({ Int($0) }),
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
