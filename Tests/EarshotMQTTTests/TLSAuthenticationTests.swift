// TLS with openssl-generated certificates and a mosquitto password file.
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

@Suite("TLS and authentication", .serialized, .timeLimit(.minutes(1)))
struct TLSAuthenticationTests {
    private func tlsBroker(_ certs: TestCertificates, requireClientCert: Bool) throws -> MosquittoBroker {
        let passwords = try makePasswordFile(in: certs.directory, username: "sensor1", password: "right-pw")
        var lines = ["allow_anonymous false", "password_file \(passwords)",
                     "cafile \(certs.caCert)", "certfile \(certs.serverCert)", "keyfile \(certs.serverKey)"]
        if requireClientCert { lines.append("require_certificate true") }
        let broker = try MosquittoBroker(listenerConfiguration: lines)
        try broker.start()
        return broker
    }

    private func config(_ broker: MosquittoBroker, _ certs: TestCertificates, password: String, ca: String? = nil,
                        clientCert: Bool = false, protocolVersion: MQTTProtocolVersion = .v5) throws -> MQTTConfiguration {
        let outbox = try makeTemporaryDirectory(prefix: "earshot-mqtt")
        var c = testConfiguration(port: broker.port, outbox: outbox)
        c.protocolVersion = protocolVersion
        c.username = "sensor1"
        c.password = password
        c.tls = MQTTTLSConfiguration(caFile: ca ?? certs.caCert, certFile: clientCert ? certs.clientCert : nil,
                                     keyFile: clientCert ? certs.clientKey : nil)
        return c
    }

    @Test("TLS + username/password (+ client certificate) connects and delivers an event", arguments: [MQTTProtocolVersion.v5, .v311])
    func connects(version: MQTTProtocolVersion) throws {
        let certs = try TestCertificates()
        defer { removeDirectory(certs.directory) }
        let broker = try tlsBroker(certs, requireClientCert: true)
        defer { broker.stop() }
        let c = try config(broker, certs, password: "right-pw", clientCert: true, protocolVersion: version)
        defer { removeDirectory(c.outboxDirectory) }
        let sub = MosquittoSubscriber(port: broker.port, filters: ["earshot/#"],
                                      extraArguments: ["--cafile", certs.caCert, "--cert", certs.clientCert, "--key", certs.clientKey,
                                                       "-u", "sensor1", "-P", "right-pw"])
        try sub.start()
        defer { sub.stop() }
        let publisher = try MQTTPublisher(configuration: c)
        try publisher.start()
        defer { publisher.stop() }
        #expect(publisher.waitUntilConnected(timeoutMs: 5000) == nil, "\(String(describing: publisher.lastError))")
        let r = try publisher.publish(event: sampleEvent())
        #expect(sub.wait(timeout: 5) { $0.contains { $0.json?["id"] as? String == r.eventID } })
    }

    @Test("wrong password: 'connection refused: wrong username or password'", arguments: [MQTTProtocolVersion.v5, .v311])
    func wrongPassword(version: MQTTProtocolVersion) throws {
        let certs = try TestCertificates()
        defer { removeDirectory(certs.directory) }
        let broker = try tlsBroker(certs, requireClientCert: false)
        defer { broker.stop() }
        let c = try config(broker, certs, password: "wrong-pw", protocolVersion: version)
        defer { removeDirectory(c.outboxDirectory) }
        let publisher = try MQTTPublisher(configuration: c)
        try publisher.start()
        defer { publisher.stop(flushTimeoutMs: 0) }
        let error = try #require(publisher.waitUntilConnected(timeoutMs: 5000))
        print("wrong_password_message[\(version.rawValue)]: \(error)")
        guard case .authenticationFailed = error else { Issue.record("got \(error)"); return }
        #expect(error.description.hasPrefix("connection refused: wrong username or password"))
        #expect(error.description.contains("127.0.0.1:\(broker.port)"))
    }

    @Test("wrong CA: 'TLS handshake failed: certificate verify failed — check ca_file'")
    func wrongCA() throws {
        let certs = try TestCertificates()
        defer { removeDirectory(certs.directory) }
        let broker = try tlsBroker(certs, requireClientCert: false)
        defer { broker.stop() }
        let c = try config(broker, certs, password: "right-pw", ca: certs.otherCACert)
        defer { removeDirectory(c.outboxDirectory) }
        let publisher = try MQTTPublisher(configuration: c)
        try publisher.start()
        defer { publisher.stop(flushTimeoutMs: 0) }
        let error = try #require(publisher.waitUntilConnected(timeoutMs: 5000))
        print("wrong_ca_message: \(error)")
        guard case .tlsHandshakeFailed = error else { Issue.record("got \(error)"); return }
        #expect(error.description.contains("TLS handshake failed"))
        #expect(error.description.contains("certificate verify failed"))
        #expect(error.description.contains("check ca_file (\(certs.otherCACert))"))
    }

    @Test("no broker on the port: 'broker unreachable at 127.0.0.1:PORT: connection refused'")
    func unreachable() throws {
        let port = try freeLocalPort()
        let outbox = try makeTemporaryDirectory(prefix: "earshot-mqtt")
        defer { removeDirectory(outbox) }
        let publisher = try MQTTPublisher(configuration: testConfiguration(port: port, outbox: outbox))
        try publisher.start()
        defer { publisher.stop(flushTimeoutMs: 0) }
        let error = try #require(publisher.waitUntilConnected(timeoutMs: 3000))
        #expect(error.description.hasPrefix("broker unreachable at 127.0.0.1:\(port): connection refused"))
        // Publishing while disconnected only queues: it returns at once and the event waits in the outbox.
        let t0 = Date()
        _ = try publisher.publish(event: sampleEvent())
        #expect(Date().timeIntervalSince(t0) < 0.5)
        #expect(publisher.outboxStats.pendingEvents == 1)
    }

    @Test("a missing CA file is reported at start with its path")
    func missingCAFile() throws {
        let outbox = try makeTemporaryDirectory(prefix: "earshot-mqtt")
        defer { removeDirectory(outbox) }
        var c = testConfiguration(port: 1883, outbox: outbox)
        c.tls = MQTTTLSConfiguration(caFile: "/nonexistent/ca.crt")
        let publisher = try MQTTPublisher(configuration: c)
        do { try publisher.start(); Issue.record("started"); publisher.stop() } catch {
            #expect(error.description.contains("/nonexistent/ca.crt"))
            #expect(error.description.contains("not readable"))
        }
    }
}
