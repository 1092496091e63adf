import EarshotDiagnostics
import EarshotConfig
import ArgumentParser
import EarshotAgent

/// `earshot mqtt`: broker checks.
struct MQTTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt", abstract: "Check the MQTT broker connection; send a (signed) command to a box.",
        subcommands: [Check.self, Command.self])

    struct Command: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one command (ptz, ping, selftest) to a box, signed with the site's command key, and print its reply.",
            discussion: """
                Publishes {prefix}/{site}/{sensor}/cmd/NAME with the site file's [mqtt] settings (broker, TLS, \
                user) and waits for …/cmd/NAME/reply. The request is signed: "ts" (now), a random "nonce" and, \
                last, "sig" = HMAC-SHA256 with the key in [mqtt] command_key_file over the topic, a newline and \
                the payload without its sig member (Deploy/README.md, "Signed commands"). cmd/ptz is refused \
                by the box without a valid signature unless its site sets insecure_unsigned_commands = true.

                Examples:
                  earshot mqtt command ptz --arg preset=3 --config /etc/earshot/site.toml
                  earshot mqtt command ptz --arg sector=0 --sensor box-017 --config central-site.toml
                  earshot mqtt command ping --unsigned

                Exit codes: 0 the box answered ok; 2 bad site file, key or options; 4 no reply, or refused.
                """)

        @Argument(help: "Command name (last topic level): ptz, ping, selftest.")
        var name: String
        @Option(name: .customLong("config"), help: "Site file: broker settings, site, sensor and command key (default: $EARSHOT_SITE, else /etc/earshot/site.toml).")
        var site: String?
        @Option(help: "Send to this sensor id of the site instead of the site file's own.")
        var sensor: String?
        @Option(name: .customLong("arg"), help: "An argument KEY=VALUE (repeatable): preset=3, sector=0.")
        var arguments: [String] = []
        @Flag(help: "Send without a signature (for boxes that allow unsigned commands, and to see a refusal).")
        var unsigned = false
        @Option(help: "How long to wait for the reply, ms.")
        var timeoutMs = 5_000

        func run() throws {
            let path = site ?? BoardChoice.defaultSitePath
            let config: MQTTCheckConfiguration
            switch mqttConfiguration(siteFile: path) {
            case .success(let c): config = c
            case .failure(let e):
                FileHandleStderr.write("earshot mqtt command: \(e.message)\n")
                throw ExitCode(CommandSendExit.config)
            }
            let out = sendCommand(config, name: name, sensor: sensor, argumentPairs: arguments, unsigned: unsigned, timeoutMs: timeoutMs)
            print(out.text, terminator: "")
            if out.exitCode != 0 { throw ExitCode(out.exitCode) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect, subscribe, publish a QoS 1 test message, time PUBACK and the subscription round trip; PASS/FAIL per step.",
            discussion: """
                Uses the site file's [mqtt] settings (TLS, user, password file) or --host/--port (anonymous). \
                The check uses the sensor id with "-check" appended, never the real event topic: one client \
                subscribes to {prefix}/{site}/{sensor}-check/cmd/+ (as the agent subscribes to its commands), a \
                second client publishes a QoS 1 message to …-check/cmd/event; the report \
                gives the PUBACK time and the round trip (publish → broker → subscriber) in ms. Failures are \
                explained in plain words: connection refused/unreachable, TLS (unknown CA, hostname, expired \
                certificate), bad user/password or not authorised, ACL denying publish or subscribe. \
                Both clients are clean-session with unique ids (…-check-<pid>-<hex>, …-echo), set no last \
                will and publish no status: the check leaves nothing retained on the broker.

                Examples:
                  earshot mqtt check --config /etc/earshot/site.toml
                  earshot mqtt check --host 127.0.0.1 --port 1883

                Exit codes: 0 every step passed; 2 bad site file or options; 4 a step failed.
                """)

        @Option(name: .customLong("config"), help: "Site file whose [mqtt] settings to check (default, without --host/--port: $EARSHOT_SITE, else /etc/earshot/site.toml when present).")
        var site: String?
        @Option(help: "Broker host (anonymous; default 127.0.0.1 when no site file is used).")
        var host: String?
        @Option(help: "Broker port (default 1883 when no site file is used).")
        var port: Int?
        @Option(help: "Bound on each step, ms.")
        var timeoutMs = 3_000

        func run() throws {
            let config: MQTTCheckConfiguration
            // On an installed box the check uses the box's own settings unless told otherwise.
            let installed = BoardChoice.defaultSitePath
            let site = self.site ?? (host == nil && port == nil && ConfigFile.isFile(installed) ? installed : nil)
            if let site {
                switch mqttConfiguration(siteFile: site) {
                case .success(let c): config = c
                case .failure(let e):
                    FileHandleStderr.write("earshot mqtt check: \(e.message)\n")
                    throw ExitCode(MQTTCheckExit.config)
                }
            } else {
                config = mqttConfiguration(host: host ?? "127.0.0.1", port: port ?? 1883)
            }
            let out = mqttCheck(config, timeoutMs: timeoutMs)
            print(out.text, terminator: "")
            if out.exitCode != 0 { throw ExitCode(out.exitCode) }
        }
    }
}
