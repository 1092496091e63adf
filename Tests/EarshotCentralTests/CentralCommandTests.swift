// The earshot-central executable: usage, --check, a bad file, a real run stopped by SIGTERM.
import EarshotTestSupport
import Foundation
import Testing

@Suite("Central: earshot-central command", .serialized)
struct CentralCommandTests {
    static let config = """
    [site]
    id = "test"
    [[box]]
    id = "a"
    x_m = 0
    y_m = 0
    [[box]]
    id = "b"
    x_m = 100
    y_m = 0
    [mqtt]
    port = PORT
    share_group = "central"
    [fusion]
    close_after_s = 5
    [fusion.source_level_db_spl]
    gunshot = 150
    """

    func executable() throws -> URL {
        try #require(BuiltExecutable.url("earshot-central"), "earshot-central not built")
    }

    func write(_ text: String) throws -> String {
        let dir = try makeTemporaryDirectory(prefix: "earshot-central-cli")
        try text.write(toFile: dir + "/central.toml", atomically: true, encoding: .utf8)
        return dir + "/central.toml"
    }

    @Test("no arguments: usage on stderr, exit 2; --check of a good file: summary, exit 0")
    func usageAndCheck() throws {
        let exe = try executable()
        let bare = try BuiltExecutable.run(exe, [])
        #expect(bare.status == 2 && bare.err.contains("usage: earshot-central --config FILE"))
        let path = try write(Self.config.replacingOccurrences(of: "PORT", with: "1883"))
        let ok = try BuiltExecutable.run(exe, ["--config", path, "--check"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("site test, 2 boxes") && ok.out.contains("$share/central/earshot/v1/test/+/event"), "\(ok.out)")
    }

    @Test("--check of a bad file: exit 2, every issue with box and field")
    func badFile() throws {
        let text = Self.config.replacingOccurrences(of: "PORT", with: "70000")
            .replacingOccurrences(of: "id = \"b\"", with: "id = \"a\"")
            .replacingOccurrences(of: "close_after_s = 5", with: "close_after_s = 5\ncolour = 1")
        let r = try BuiltExecutable.run(try executable(), ["--config", try write(text), "--check"])
        #expect(r.status == 2)
        #expect(r.err.contains("box \"a\".id = \"a\"") && r.err.contains("duplicate"), "\(r.err)")
        #expect(r.err.contains("mqtt.port = 70000"), "\(r.err)")
        #expect(r.err.contains("fusion.colour") && r.err.contains("unknown key"), "\(r.err)")
    }

    @Test("a real run: connects, logs a malformed payload with box and field, stops on SIGTERM with a summary, exit 0")
    func run() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let path = try write(Self.config.replacingOccurrences(of: "PORT", with: String(broker.port)))
        let p = Process()
        p.executableURL = try executable()
        p.arguments = ["--config", path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Connected when a subscriber on the same shared filter would be served: wait for the log via the broker's.
        #expect(waitUntil(timeout: 10) {
            ((try? String(contentsOfFile: broker.logPath, encoding: .utf8)) ?? "").contains("$share/central/earshot/v1/test/+/event")
        })
        try runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1",
                                               "-t", "earshot/v1/test/b/event", "-m", "{\"schema\":2}"])
        usleep(500_000)
        kill(p.processIdentifier, SIGTERM)
        #expect(waitUntil(timeout: 5) { !p.isRunning })
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("box b: field schema"), "\(text)")
        #expect(text.contains("stopping (signal 15): 1 events") && text.contains("1 malformed"), "\(text)")
    }
}
