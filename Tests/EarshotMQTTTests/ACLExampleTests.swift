// Issue 18, item 2: the mosquitto ACL shipped as Deploy/mosquitto-acl.example, loaded by
// a real broker with accounts for two boxes, the centre and a technician: a box cannot
// command another box (nor itself), the centre and the technician can, and each box still
// publishes its own topics and receives its own commands.
import EarshotTestSupport
import Foundation
import Testing

@Suite("Deploy/mosquitto-acl.example on a real broker", .timeLimit(.minutes(1)))
struct ACLExampleTests {
    static let site = "earshot/v1/demo"

    func sub(_ port: Int, user: String, topic: String) throws -> MosquittoSubscriber {
        try MosquittoSubscriber.started(port: port, filters: [topic], extraArguments: ["-u", user, "-P", "pw-\(user)"])
    }

    func pub(_ port: Int, user: String, topic: String, _ message: String) throws {
        _ = try runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-u", user, "-P", "pw-\(user)",
                                                   "-q", "1", "-t", topic, "-m", message], timeout: 5)
    }

    @Test("box-001 cannot publish box-002's (or its own) cmd/ptz; the centre and the technician can; boxes keep their own topics")
    func aclSeparatesBoxesFromCommanders() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-acl")
        defer { removeDirectory(dir) }
        let users = ["box-001", "box-002", "earshot-central", "technician"]
        let passwd = dir + "/passwd"
        for (i, u) in users.enumerated() {
            _ = try runTool("/usr/bin/mosquitto_passwd", (i == 0 ? ["-c"] : []) + ["-b", passwd, u, "pw-\(u)"])
        }
        let acl = Paths.packageRoot + "/Deploy/mosquitto-acl.example"
        let broker = try MosquittoBroker(listenerConfiguration: ["allow_anonymous false", "password_file \(passwd)", "acl_file \(acl)"],
                                         directory: dir)
        try broker.start()
        defer { broker.stop() }
        let p = broker.port

        // box-002 listens to its commands; the centre listens to everything of the site.
        let box2 = try sub(p, user: "box-002", topic: "\(Self.site)/box-002/cmd/+")
        let central = try sub(p, user: "earshot-central", topic: "\(Self.site)/#")
        try pub(p, user: "box-001", topic: "\(Self.site)/box-002/cmd/ptz", "from-box-001")
        try pub(p, user: "box-001", topic: "\(Self.site)/box-001/cmd/ptz", "box-001-to-itself")
        try pub(p, user: "box-001", topic: "\(Self.site)/box-002/event", "forged-event")
        try pub(p, user: "earshot-central", topic: "\(Self.site)/box-002/cmd/ptz", "from-central")
        try pub(p, user: "technician", topic: "\(Self.site)/box-002/cmd/ptz", "from-technician")
        try pub(p, user: "box-001", topic: "\(Self.site)/box-001/event", "own-event")
        // The allowed publishes arrive; the denied ones would have arrived by then too.
        #expect(box2.wait(timeout: 5) { m in m.contains { $0.payload == "from-technician" } }, "\(box2.messages)")
        #expect(central.wait(timeout: 5) { m in m.contains { $0.payload == "own-event" } }, "\(central.messages)")
        usleep(300_000)
        box2.stop(); central.stop()
        let boxSaw = box2.messages.map { "\($0.topic) \($0.payload)" }.joined(separator: "\n")
        let centralSaw = central.messages.map { "\($0.topic) \($0.payload)" }.joined(separator: "\n")
        #expect(boxSaw.contains("from-central") && boxSaw.contains("from-technician"), "\(boxSaw)")
        #expect(!boxSaw.contains("from-box-001"), "\(boxSaw)")
        #expect(centralSaw.contains("\(Self.site)/box-001/event own-event"), "\(centralSaw)")
        #expect(!centralSaw.contains("from-box-001") && !centralSaw.contains("box-001-to-itself") && !centralSaw.contains("forged-event"),
                "\(centralSaw)")
    }
}
