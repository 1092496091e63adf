// Nothing lost: broker SIGKILL mid-stream, client SIGKILL with unacknowledged
// events, and the publish → PUBACK latency on localhost.
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

/// Thread-safe bag of strings/numbers for producer threads and ack callbacks.
final class Collector<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func add(_ x: T) { lock.withLock { items.append(x) } }
    var all: [T] { lock.withLock { items } }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

@Suite("Reliability against a real broker", .serialized, .timeLimit(.minutes(1)))
struct ReliabilityTests {
    let eventTopic = "earshot/v1/test-site/s1/event"

    private func receivedIDs(_ subs: [MosquittoSubscriber], topic: String) -> Set<String> {
        Set(subs.flatMap { $0.messages(on: topic) }.compactMap { $0.json?["id"] as? String })
    }

    @Test("broker SIGKILLed mid-stream and restarted on the same port: every event id arrives at least once")
    func brokerKill() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let sub1 = try MosquittoSubscriber.started(port: broker.port, filters: [eventTopic])
        defer { sub1.stop() }

        var config = testConfiguration(port: broker.port, outbox: outbox)
        // ≥ 400 ms before the first retry, so the test can restart broker and subscriber first.
        config.reconnect = ReconnectPolicy(initialDelayMs: 500, maxDelayMs: 2000, multiplier: 2, jitter: 0.2)
        let publisher = try MQTTPublisher(configuration: config)
        let states = Collector<MQTTConnectionState>()
        publisher.onStateChange = { s, _ in states.add(s) }
        try publisher.start()
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)

        let produced = Collector<String>()
        let stop = Flag()
        let producer = Thread {
            var i = 0
            while !stop.isSet {
                if let r = try? publisher.publish(event: sampleEvent(i)) { produced.add(r.eventID) }
                i += 1
                usleep(3_000)
            }
        }
        producer.start()
        defer { stop.set() }
        #expect(waitUntil(timeout: 5) { produced.all.count >= 80 })
        broker.kill()
        let killedAt = produced.all.count
        #expect(waitUntil(timeout: 5) { states.all.contains { if case .waitingToReconnect = $0 { return true }; return false } })
        try broker.restart()
        let sub2 = try MosquittoSubscriber.started(port: broker.port, filters: [eventTopic])
        defer { sub2.stop() }
        #expect(waitUntil(timeout: 5) { publisher.state == .connected })
        #expect(waitUntil(timeout: 5) { produced.all.count >= killedAt + 150 })
        stop.set()
        usleep(20_000)
        let all = Set(produced.all)
        let complete = waitUntil(timeout: 15) { all.isSubset(of: receivedIDs([sub1, sub2], topic: eventTopic)) }
        let received = receivedIDs([sub1, sub2], topic: eventTopic)
        let missing = all.subtracting(received)
        let deliveries = sub1.messages(on: eventTopic).count + sub2.messages(on: eventTopic).count
        print("broker_kill produced=\(all.count) produced_before_kill=\(killedAt) received_unique=\(received.intersection(all).count) deliveries=\(deliveries) missing=\(missing.count) dropped=\(publisher.outboxStats.droppedEvents)")
        #expect(complete, "missing \(missing.count): \(missing.sorted().prefix(10))")
        #expect(publisher.outboxStats.droppedEvents == 0)
        publisher.stop()
    }

    @Test("client SIGKILLed with unacknowledged events: a new client on the same outbox re-sends them")
    func clientKill() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let sub1 = try MosquittoSubscriber.started(port: broker.port, filters: [eventTopic])
        defer { sub1.stop() }
        // The probe publishes as sensor s1 so the same topic is used.
        let probe = try ChildProcess(try Paths.probe(), ["produce", "--port", String(broker.port), "--site", "test-site",
                                                          "--sensor", "s1", "--outbox", outbox, "--count", "400",
                                                          "--interval-ms", "2"])
        defer { probe.kill() }
        func ids() -> [String] { probe.lines.filter { $0.hasPrefix("id ") }.map { String($0.dropFirst(3)) } }
        #expect(probe.waitForLine(timeout: 10) { _ in ids().count >= 100 }, "probe: \(probe.lines.suffix(3))")
        // Broker gone while the probe keeps producing: those events can only be in the outbox.
        broker.kill()
        let atBrokerKill = ids().count
        #expect(waitUntil(timeout: 10) { ids().count >= atBrokerKill + 100 })
        probe.kill()
        let produced = Set(ids())
        let receivedBefore = receivedIDs([sub1], topic: eventTopic)

        try broker.restart()
        let sub2 = try MosquittoSubscriber.started(port: broker.port, filters: [eventTopic])
        defer { sub2.stop() }
        let publisher = try MQTTPublisher(configuration: testConfiguration(port: broker.port, outbox: outbox))
        let recovered = publisher.outboxStats.recoveredAtOpen
        try publisher.start()
        defer { publisher.stop() }
        let complete = waitUntil(timeout: 15) { produced.isSubset(of: receivedIDs([sub1, sub2], topic: eventTopic)) }
        let resent = receivedIDs([sub2], topic: eventTopic)
        print("client_kill produced=\(produced.count) received_before_kill=\(receivedBefore.count) unacked_recovered_at_open=\(recovered) resent_by_new_client=\(resent.count) missing=\(produced.subtracting(receivedIDs([sub1, sub2], topic: eventTopic)).count)")
        #expect(complete)
        #expect(recovered >= produced.count - receivedBefore.count)
        #expect(resent.count >= produced.subtracting(receivedBefore).count)
        #expect(waitUntil(timeout: 5) { publisher.outboxStats.pendingRecords == 0 })
    }

    @Test("publish → PUBACK latency on localhost over 300 events (printed for the report)")
    func latency() throws {
        let (broker, outbox) = try startBrokerWithOutbox()
        defer { broker.stop(); removeDirectory(outbox) }
        let publisher = try MQTTPublisher(configuration: testConfiguration(port: broker.port, outbox: outbox))
        let acks = Collector<(UInt64, UInt64)>()
        publisher.onAcknowledged = { a in acks.add((a.recordID, DispatchTime.now().uptimeNanoseconds)) }
        try publisher.start()
        defer { publisher.stop() }
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil)
        var starts: [UInt64: UInt64] = [:]
        var returns: [UInt64: UInt64] = [:]
        var callTimes: [Double] = []
        for i in 0..<300 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try publisher.publish(event: sampleEvent(i))
            let t1 = DispatchTime.now().uptimeNanoseconds
            callTimes.append(Double(t1 - t0) / 1e6)
            starts[r.recordID] = t0
            returns[r.recordID] = t1
            usleep(2_000)
        }
        #expect(waitUntil(timeout: 10) { acks.all.count >= 300 })
        var latencies = acks.all.compactMap { a in starts[a.0].map { Double(a.1 - $0) / 1e6 } }.sorted()
        callTimes.sort()
        let network = acks.all.compactMap { a in returns[a.0].map { max(Double(Int64(bitPattern: a.1 &- $0)) / 1e6, 0) } }.sorted()
        #expect(latencies.count == 300)
        guard latencies.count == 300 else { return }
        func p(_ xs: [Double], _ q: Double) -> String { String(format: "%.2f", xs[min(Int(q * Double(xs.count)), xs.count - 1)]) }
        print("puback_latency_ms p50=\(p(latencies, 0.5)) p99=\(p(latencies, 0.99)) max=\(p(latencies, 1)) n=300 (includes outbox append+fdatasync)")
        print("return_to_puback_ms p50=\(p(network, 0.5)) p99=\(p(network, 0.99)) (network + broker only)")
        print("publish_call_ms p50=\(p(callTimes, 0.5)) p99=\(p(callTimes, 0.99)) max=\(p(callTimes, 1))")
        latencies.removeAll()
    }
}
