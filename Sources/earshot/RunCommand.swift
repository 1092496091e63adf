import EarshotConfig
import EarshotPlatform
import ArgumentParser
import EarshotAgent
#if canImport(Glibc)
import Glibc
#endif

/// `earshot run`: the agent's main job on a sensor box.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Listen, detect, report: the agent (capture → analysis → MQTT, PTZ).",
        discussion: """
            Reads the site file and the board file it names, opens the ALSA device, analyses \
            10 ms hops, publishes events (modes "events", "events+ptz"), telemetry and a \
            retained status over MQTT through the on-disk outbox, and pulses the PTZ lines \
            (mode "events+ptz" only). No mode writes or sends raw audio.

            Signals: SIGTERM/SIGINT stop (PTZ lines to idle, queued events stored, status \
            offline, outbox flushed for up to 2 s; what the broker has not acknowledged stays \
            on disk for the next start). SIGHUP reloads site, board and signature table \
            without losing queued events. Under systemd (Type=notify) READY=1 is sent once \
            the pipeline runs and WATCHDOG=1 from the analysis loop.

            Each event is logged on stderr as one line:
              earshot: event id=<sensor>-<boot_id>-<seq> class=<class> phase=<impulse|start> onset=<UTC> …

            Examples:
              earshot run --config /etc/earshot/site.toml
              earshot run --config site.toml --board Boards/rpi4-respeaker-4mic.toml --log-level debug
              earshot run --config site.toml --input street.wav --realtime --loop
              ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:replay.conf earshot run --config site.toml

            Exit codes: 0 stopped by a signal (or end of --input with --exit-at-end, every event \
            acknowledged); 1 unexpected runtime failure; 2 site, board or signature table invalid; \
            3 audio device or --input file unusable; 4 MQTT/outbox setup failed (TLS file, \
            outbox directory), or --exit-at-end with events the broker has not acknowledged; \
            5 GPIO lines cannot be claimed; 64 bad command line.
            """)

    @Option(name: .long, help: "Site file.")
    var config: String = "/etc/earshot/site.toml"

    @Option(help: "Board file, overriding the site's sensor.board.")
    var board: String?

    @Option(name: [.long, .customLong("audio-file")],
            help: "Replay this WAV file instead of capturing from ALSA (tests, demos, checks on the ground). A file with the board's channel count replays every channel (bearing and camera preset, as the array would); otherwise the analysis channel.")
    var input: String?

    @Flag(help: "Pace --input in real time (otherwise as fast as the analysis runs).")
    var realtime = false

    @Flag(help: "Replay --input again and again.")
    var loop = false

    @Flag(help: "Exit once --input has been analysed and its events acknowledged (≤ 10 s wait): 0, or 4 when events are still unacknowledged (they stay in the outbox).")
    var exitAtEnd = false

    @Option(help: "Stop analysing after this many seconds of audio (with --exit-at-end: then exit).")
    var exitAfter: Double?

    @Option(help: "Log level: error, warning, info or debug (default: the site's [logging] level).")
    var logLevel: String?

    @Option(help: "Seconds of audio buffered between capture and analysis, dropped when full (default 1 s; an ALSA file-plugin replay, which no clock paces, then waits for the analysis instead: nothing dropped). Dropped frames show as status audio \"degraded\" with counts, and a log warning.")
    var ringSeconds: Double?

    @Option(help: "Tests: record PTZ line transitions to this file instead of driving libgpiod (also env EARSHOT_FAKE_GPIO_LOG).")
    var fakeGPIOLog: String?

    func validate() throws {
        if let logLevel, LoggingSettings.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level '\(logLevel)': expected error, warning, info or debug")
        }
        if (realtime || loop) && input == nil {
            throw ValidationError("--realtime and --loop need --input FILE")
        }
        if let ringSeconds, !(ringSeconds > 0 && ringSeconds <= 1_000) { throw ValidationError("--ring-seconds must be in (0, 1000]") }
    }

    func run() throws {
        var options = AgentOptions(sitePath: config)
        options.boardPath = board
        options.inputFile = input
        options.realtime = realtime
        options.loop = loop
        options.exitAtEnd = exitAtEnd
        options.exitAfterAudioSeconds = exitAfter
        options.logLevel = logLevel.flatMap(LoggingSettings.Level.init(rawValue:))
        options.ringSeconds = ringSeconds
        options.fakeGPIOLog = fakeGPIOLog
        options.version = Earshot.configuration.version
        let signals: SignalHandling
        do {
            signals = try SignalHandling.install()
        } catch {
            AgentLog.write("earshot: error: \(error.description)\n")
            throw ExitCode(1)
        }
        do {
            let agent = try Agent(options: options)
            try agent.start()
            let status = agent.run(signals: signals)
            throw ExitCode(status)
        } catch let error as AgentError {
            AgentLog.write("earshot: error: \(error.message)\n")
            throw ExitCode(error.exitCode)
        }
    }
}
