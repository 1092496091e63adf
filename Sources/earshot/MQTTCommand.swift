import ArgumentParser
import EarshotAgent

/// `earshot mqtt`: broker checks.
struct MQTTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt", abstract: "Check the MQTT broker connection.", subcommands: [Check.self])

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
