// cmd/ptz from the centre: the nearest camera box turns toward a located incident, once per
// incident, only when the site enables it; the request is what the agent's command path reads.
@testable import EarshotCentral
import EarshotMQTT
import EarshotTestSupport
import Foundation
import Testing

/// Site angle → board-frame bearing [0, 360), degrees.
private func boardBearing(from b: RegisteredBox, to p: PlanePoint) -> Double {
    var a = (atan2(p.y - b.y, p.x - b.x) * 180 / Double.pi - b.orientationDeg).truncatingRemainder(dividingBy: 360)
    if a < 0 { a += 360 }
    return a
}

/// Records the cmd/ptz requests a box's own MQTTPublisher hands to its command handler.
private final class Requests: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [CommandRequest] = []
    var all: [CommandRequest] { lock.withLock { list } }
    func add(_ r: CommandRequest) { lock.withLock { list.append(r) } }
}

@Suite("Central: cmd/ptz toward incidents", .serialized)
struct CentralPTZTests {
    static let presets: [Double] = [0, 90, 180, 270]
    static let cameras: [String: (orientationDeg: Double, presetsDeg: [Double])] = [
        "box-1": (90, presets), "box-3": (0, presets),
    ]

    @Test("[site] ptz = true: one cmd/ptz per incident (not per update) on the nearest camera box's topic, sector and bearing toward the fix, read by the agent's command path")
    func oneCommandPerIncident() throws {
        let h = try CentralHarness(closeAfterS: 30, ptz: true, cameras: Self.cameras)
        defer { h.close() }
        // The camera boxes answer cmd/ptz through the agent's own publisher and command parser.
        let received = Requests()
        for id in ["box-1", "box-3"] {
            let p = try h.box(id)
            p.setCommandHandler("ptz") { r in
                received.add(r)
                return CommandReply(ok: true, message: "sector triggered")
            }
            p.update(status: StatusMessage(mode: "events+ptz"))  // the agent refuses cmd/ptz in any other mode
        }
        #expect(waitUntil(timeout: 5) { ["box-1", "box-3"].allSatisfy { h.service.boxStates[$0]?.mode == "events+ptz" } })
        let commands = try h.subscriber(["earshot/v1/test/+/cmd/ptz"])
        let incidents = try h.subscriber()
        let box1 = try #require(h.scene.boxes.first { $0.id == "box-1" })
        let box3 = try #require(h.scene.boxes.first { $0.id == "box-3" })

        // Near box-1 (turned 90°): site angle ≈ 160°, board bearing ≈ 70° → preset 90° (sector 1).
        let first = PlanePoint(x: 100, y: 60)
        try h.shot(at: first)
        #expect(incidents.wait(timeout: 10) { $0.contains { $0.contributionCount == 4 } }, "\(h.logs.all)")
        // Near box-3 (not turned): board bearing ≈ 303° → preset 270° (sector 3).
        let second = PlanePoint(x: -120, y: -80)
        try h.shot(at: second, agoS: 0.5)
        #expect(incidents.wait(timeout: 10) { m in Set(m.filter { $0.contributionCount == 4 }.compactMap(\.incidentID)).count == 2 },
                "\(h.logs.all)")
        #expect(waitUntil(timeout: 5) { received.all.count >= 2 }, "\(h.logs.all)")
        usleep(1_000_000)  // every update has been handled: still one command each

        let ids = incidents.messages.filter { $0.contributionCount == 4 }.compactMap(\.incidentID)
        let firstID = try #require(ids.first), secondID = try #require(ids.last)
        let msgs = commands.messages
        #expect(msgs.count == 2, "\(msgs.map(\.payload))")
        #expect(h.service.stats.ptzCommands == 2)
        // (A 3-box fragment of a shot may open and merge into the 4-box incident: no command of its own.)
        let validator = try JSONSchemaValidator(schemaFile: CentralPaths.packageRoot + "/Schemas/command-request.schema.json")
        for m in msgs { #expect(validator.validate(json: m.payload).isEmpty, "\(m.payload)") }

        let toBox1 = commands.messages(on: "earshot/v1/test/box-1/cmd/ptz")
        let toBox3 = commands.messages(on: "earshot/v1/test/box-3/cmd/ptz")
        #expect(toBox1.count == 1 && toBox3.count == 1, "\(msgs.map(\.topic))")
        let a1 = try #require(toBox1.first?.json?["args"] as? [String: Any])
        let a3 = try #require(toBox3.first?.json?["args"] as? [String: Any])
        #expect(toBox1.first?.json?["request_id"] as? String == firstID)
        #expect(toBox3.first?.json?["request_id"] as? String == secondID)
        let b1 = boardBearing(from: box1, to: first), b3 = boardBearing(from: box3, to: second)
        print("cmd/ptz: box-1 bearing \(a1["bearing_deg"] ?? "?") (true \(b1)), box-3 bearing \(a3["bearing_deg"] ?? "?") (true \(b3))")
        #expect(abs((a1["bearing_deg"] as? Double ?? .nan) - b1) < 2)
        #expect(abs((a3["bearing_deg"] as? Double ?? .nan) - b3) < 2)
        #expect(a1["sector"] as? Int == 1)
        #expect(a3["sector"] as? Int == 3)

        // What the agent's handler sees (Agent.handlePTZ reads args.sector as a number).
        let got = received.all
        #expect(got.count == 2)
        #expect(got.contains { $0.requestID == firstID && $0.arguments["sector"] == .number(1) }, "\(got)")
        #expect(got.contains { $0.requestID == secondID && $0.arguments["sector"] == .number(3) }, "\(got)")
    }

    @Test("ptz off (the default): camera boxes get no cmd/ptz")
    func noCommandWhenDisabled() throws {
        let h = try CentralHarness(closeAfterS: 30, ptz: false, cameras: Self.cameras)
        defer { h.close() }
        let commands = try h.subscriber(["earshot/v1/test/+/cmd/#"])
        let incidents = try h.subscriber()
        try h.shot(at: PlanePoint(x: 100, y: 60))
        #expect(incidents.wait(timeout: 10) { $0.contains { $0.contributionCount == 4 } }, "\(h.logs.all)")
        usleep(1_000_000)
        #expect(commands.messages.isEmpty, "\(commands.messages.map(\.payload))")
        #expect(h.service.stats.ptzCommands == 0)
        #expect(!h.logs.contains("cmd/ptz"))
    }

    /// Issue 18, item 2: boxes carry out cmd/ptz only when it is signed with the site's key.
    /// With the key in its [mqtt] command_key_file the centre's commands pass the agent's own
    /// check (MQTTPublisher with requiresSignature); without it they are refused as unsigned.
    @Test("signed with [mqtt] command_key_file: the boxes' signature check accepts the centre's cmd/ptz; unsigned ones are refused")
    func signedCommandsPassTheBoxCheck() throws {
        let siteKey = Array(String(repeating: "c4", count: 32).utf8)
        for key in [siteKey, nil] {
            let h = try CentralHarness(closeAfterS: 30, ptz: true, cameras: Self.cameras, commandKey: key, boxCommandKey: siteKey)
            defer { h.close() }
            let received = Requests()
            var publishers: [MQTTPublisher] = []
            for id in ["box-1", "box-3"] {
                let p = try h.box(id)
                p.setCommandHandler("ptz", requiresSignature: true) { r in
                    received.add(r)
                    return CommandReply(ok: true, message: "sector triggered")
                }
                p.update(status: StatusMessage(mode: "events+ptz"))
                publishers.append(p)
            }
            #expect(waitUntil(timeout: 5) { ["box-1", "box-3"].allSatisfy { h.service.boxStates[$0]?.mode == "events+ptz" } })
            let commands = try h.subscriber(["earshot/v1/test/+/cmd/ptz"])
            try h.shot(at: PlanePoint(x: 100, y: 60))
            #expect(commands.wait(timeout: 10) { !$0.isEmpty }, "\(h.logs.all)")
            let sent = commands.messages.first?.payload ?? ""
            if key != nil {
                #expect(sent.contains(#""ts":"#) && sent.contains(#""nonce":""#) && sent.contains(#","sig":""#), "\(sent)")
                #expect(waitUntil(timeout: 5) { received.all.count == 1 }, "\(h.logs.all)")
                #expect(publishers.map(\.commandStats.accepted).reduce(0, +) == 1)
                #expect(publishers.map(\.commandStats.refused).reduce(0, +) == 0)
                #expect(h.logs.contains(", signed"))
            } else {
                #expect(waitUntil(timeout: 5) { publishers.map(\.commandStats.refused).reduce(0, +) == 1 })
                #expect(publishers.compactMap(\.commandStats.lastRefusal) == ["unsigned"])
                #expect(received.all.isEmpty)
                #expect(h.logs.contains("unsigned: no [mqtt] command_key_file"))
            }
        }
    }

    @Test("[mqtt] command_key_file: read into the settings; a key others may read, or a short one, is refused naming the field")
    func commandKeyFile() throws {
        let dir = try makeTemporaryDirectory(prefix: "earshot-central-key")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let site = "[site]\nid = \"x\"\n[[box]]\nid = \"a\"\nx_m = 0\ny_m = 0\n[mqtt]\ncommand_key_file = \"command.key\"\n"
        let key = dir + "/command.key"
        try (String(repeating: "ab", count: 32) + "\n").write(toFile: key, atomically: true, encoding: .utf8)
        chmod(key, 0o640)
        let c = try CentralConfig.parse(site, file: "c.toml", folder: dir)
        #expect(c.mqtt.commandKey == Array(String(repeating: "ab", count: 32).utf8))
        chmod(key, 0o644)
        do { _ = try CentralConfig.parse(site, file: "c.toml", folder: dir); Issue.record("accepted a world-readable key") } catch {
            #expect("\(error)".contains("mqtt.command_key_file") && "\(error)".contains("has mode 0644"), "\(error)")
        }
        try "short\n".write(toFile: key, atomically: true, encoding: .utf8)
        chmod(key, 0o600)
        do { _ = try CentralConfig.parse(site, file: "c.toml", folder: dir); Issue.record("accepted a short key") } catch {
            #expect("\(error)".contains("command_key_file") && "\(error)".contains("the key has 5 bytes"), "\(error)")
        }
    }

    @Test("the aimed camera: nearest camera box in range, not offline, in mode events+ptz when its status says")
    func choosesCamera() {
        let near = RegisteredBox(id: "near", x: 0, y: 0, orientationDeg: -90, hearingRangeM: 300, camera: true, cameraPresetsDeg: [0, 120, 240])
        let far = RegisteredBox(id: "far", x: 400, y: 0, hearingRangeM: 500, camera: true, cameraPresetsDeg: [0, 180])
        let deaf = RegisteredBox(id: "plain", x: 10, y: 10)
        let r = SiteRegistry(site: "s", boxes: [near, far, deaf], ptzEnabled: true)
        let p = PlanePoint(x: 100, y: 100)  // site angle 45°; near is turned −90° → board 135° → preset 120° (sector 1)
        let aim = PTZAim.choose(toward: p, registry: r, states: [:])
        #expect(aim?.box == "near")
        #expect(abs((aim?.bearingDeg ?? 0) - 135) < 1e-9)
        #expect(aim?.sector == 1)
        var st = BoxState()
        st.state = "offline"
        #expect(PTZAim.choose(toward: p, registry: r, states: ["near": st])?.box == "far")
        st.state = "online"; st.mode = "events"
        #expect(PTZAim.choose(toward: p, registry: r, states: ["near": st])?.box == "far")
        st.mode = "events+ptz"
        #expect(PTZAim.choose(toward: p, registry: r, states: ["near": st])?.box == "near")
        // Out of every camera's range: no command.
        #expect(PTZAim.choose(toward: PlanePoint(x: -900, y: 0), registry: r, states: [:]) == nil)
        // Wrap-around: bearing 350° is nearer preset 0° than 240°.
        let w = SiteRegistry(site: "s", boxes: [RegisteredBox(id: "w", x: 0, y: 0, camera: true, cameraPresetsDeg: [240, 0])])
        #expect(PTZAim.choose(toward: PlanePoint(x: 100, y: -17.6), registry: w, states: [:])?.sector == 1)
        let payload = PTZCommandPayload.make(incidentID: "inc-00000000000000aa", aim: aim!)
        #expect(payload == #"{"request_id":"inc-00000000000000aa","args":{"sector":1,"bearing_deg":135.0}}"#)
    }
}
