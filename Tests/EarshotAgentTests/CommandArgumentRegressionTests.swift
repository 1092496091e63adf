// Regression (found while writing the MQTT command fuzz target, Tools/fuzz/command): a
// `cmd/ptz` request whose "preset" or "sector" is a JSON number outside Int's range
// (1e300, -9.3e18) made `Int(n)` trap on the MQTT thread and killed the agent. It must be
// refused with "no sector" like any other sector the board does not wire.
@testable import EarshotAgent
import EarshotMQTT
import EarshotTestSupport
import Testing

extension RunAgentTests {
    @Suite("cmd/ptz numeric arguments")
    struct CommandArgumentRegressionTests {
        @Test("out-of-range preset/sector numbers are refused, not a crash")
        func outOfRangeNumbers() throws {
            let fx = try RunFixture(port: try freeLocalPort(), prefix: "earshot-cmd-args")
            let board = try fx.writeBoard(device: "unused", ptzCooldownMs: 1_500)
            let site = try fx.writeSite(board: board, table: try fx.writeTable(), mode: "events+ptz", telemetryS: 60)
            var options = AgentOptions(sitePath: site)
            options.inputFile = try fx.write("quiet.wav", RunAudio.wav(RunAudio.background(seconds: 1)))
            options.fakeGPIOLog = fx.path("gpio.log")
            let agent = try Agent(options: options)
            try agent.start()
            defer { agent.shutdown() }
            let cases: [(String, Double)] = [("preset", 1e300), ("preset", -9.3e18), ("sector", 1e300),
                                             ("sector", -1e300), ("preset", .nan), ("sector", .infinity)]
            for (key, value) in cases {
                let reply = agent.handlePTZ(CommandRequest(name: "ptz", arguments: [key: .number(value)]))
                #expect(!reply.ok, "\(key)=\(value)")
                #expect(reply.message.contains("no sector"), "\(key)=\(value): \(reply.message)")
            }
            // An in-range preset still works.
            let ok = agent.handlePTZ(CommandRequest(name: "ptz", arguments: ["preset": .number(2)]))
            #expect(ok.ok, "\(ok.message)")
        }
    }
}
