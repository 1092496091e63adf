import EarshotDiagnostics
import EarshotConfig
import ArgumentParser
import EarshotAgent

/// `earshot selftest`: synthetic events through the live pipeline, every sink checked.
struct SelftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Inject synthetic events into the agent's pipeline and check each sink: detector, GPIO, MQTT.",
        discussion: """
            Builds the agent's pipeline from the site file (and --board), feeds it 3 s of synthetic audio \
            with two impulses through the runtime's file feeder, and prints PASS/FAIL/SKIP per stage: \
            configuration; pipeline (all hops analysed); detector (at least one event); GPIO (in mode \
            events+ptz: pulses on the real chip, or on a fake in-memory chip with --fake or when the machine \
            has none); MQTT broker (connect); MQTT publish (PUBACK for every event); MQTT delivery (every \
            event received back through a subscription). The events go to \
            {prefix}/{site}/{sensor}/selftest/cmd/event — not to the real event topic, so the supervision \
            centre sees no alert — through a temporary outbox. The running agent answers the same check \
            on MQTT: publish {} to {prefix}/{site}/{sensor}/cmd/selftest; the reply goes to …/cmd/selftest/reply.

            Examples:
              earshot selftest --config /etc/earshot/site.toml
              earshot selftest --config site.toml --board Boards/rpi4-respeaker-4mic.toml --fake
              earshot selftest --fake --board generic

            Exit codes: 0 every stage passed or was skipped by the site's mode; 1 a stage failed; \
            2 bad site/board file.
            """)

    @Option(name: [.customLong("config"), .customLong("site")],
            help: "Site file (default $EARSHOT_SITE, else /etc/earshot/site.toml; without one, --board runs with the site defaults).")
    var site: String?

    @Option(help: "Board overriding the site's board: a file, or a bare name (generic) from the installed boards folder.")
    var board: String?

    @Flag(help: "Pulse a fake in-memory GPIO chip even when a real one is present.")
    var fake = false

    @Option(help: "Bound on each wait (analysis, PUBACK, delivery), ms.")
    var timeoutMs = 5_000

    func run() throws {
        var options = SelftestOptions(sitePath: site ?? BoardChoice.defaultSitePath)
        options.siteIsDefault = site == nil
        options.boardPath = board
        options.fakeGPIO = fake
        options.timeoutMs = timeoutMs
        let code = runSelftest(options) { print($0) }
        if code != 0 { throw ExitCode(code) }
    }
}
