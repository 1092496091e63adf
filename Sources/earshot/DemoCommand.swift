import EarshotPlatform
import ArgumentParser
import EarshotAgent
#if canImport(Glibc)
import Glibc
#endif

/// `earshot demo`: a synthetic street soundscape through the real agent pipeline.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Earshot on a built-in synthetic street soundscape (no hardware, files or network needed).",
        discussion: """
            Synthesises 60 s of street traffic at 16 kHz with a gunshot, a breaking window, a car horn \
            and an angle grinder at known times (with --siren also a siren wail at 50 s, which the shipped \
            table's pitch-tracking siren entry reports after 2.5 s), runs it through the agent's own pipeline \
            (file feeder → analysis thread → detector → PTZ trigger on a fake GPIO chip → the agent's event \
            dispatcher and outbox), prints each event as it is detected (time into the soundscape, class, \
            level in dBFS and in dB SPL with a nominal 120 dB SPL at 0 dBFS calibration, confidence, PTZ \
            sector) with its fake PTZ pulse under it (and the time from the request to the line going \
            active), then a summary of expected vs detected events. If an MQTT broker accepts connections on localhost:1883 (or \
            --broker), events are published to it as well.

            Examples:
              earshot demo
              earshot demo --seed 3 --siren
              earshot demo --realtime --broker 192.168.1.10:1883
              earshot demo --write-wav street.wav --minutes 10 > street-reference.txt

            --write-wav FILE writes the soundscape (16 kHz mono 16-bit; with --minutes N, N \
            consecutive 60 s scenes with seeds SEED, SEED+1, …) to FILE instead of running the \
            pipeline, and prints the placed sounds on stdout in the DCASE event-list form that \
            `earshot analyze --format dcase` writes (file, onset s, offset s, class), as a \
            reference to compare against. Synthetic audio only.

            Exit codes: 0 every synthesised event detected with the right class (with --write-wav: \
            the file was written); 1 some were missed; 2 bad --broker value; 3 the pipeline could not start or the file \
            could not be written; 64 bad command line.
            """)

    @Flag(help: "Pace the audio in real time (60 s) instead of as fast as the analysis goes.")
    var realtime = false

    @Option(help: "MQTT broker HOST[:PORT] to publish events to (default: try localhost:1883).")
    var broker: String?

    @Flag(help: "Add a siren wail (650 ↔ 1500 Hz) at 50 s.")
    var siren = false

    @Option(help: "Seed of the soundscape's traffic and event noise (same event times).")
    var seed: UInt64 = 7

    @Option(name: .customLong("write-wav"), help: ArgumentHelp(
        "Write the soundscape to this WAV file and print the placed sounds (DCASE list) instead of running.",
        valueName: "file"))
    var writeWAV: String?

    @Option(help: "With --write-wav: how many 60 s scenes to write (1…1440).")
    var minutes: Int?

    func validate() throws {
        if minutes != nil && writeWAV == nil { throw ValidationError("--minutes needs --write-wav FILE") }
        if writeWAV != nil && (realtime || broker != nil) {
            throw ValidationError("--write-wav only writes the file; --realtime and --broker apply when the demo runs")
        }
        if let minutes, !(1...DemoRecording.maxMinutes).contains(minutes) {
            throw ValidationError("--minutes \(minutes): must be 1…\(DemoRecording.maxMinutes)")
        }
    }

    func run() throws {
        if let path = writeWAV { return try write(path) }
        var options = DemoOptions()
        options.realtime = realtime
        options.broker = broker
        options.siren = siren
        options.seed = seed
        let result: DemoResult
        do {
            result = try DemoDriver.run(options) { print($0); fflush(nil) }
        } catch {
            throw Self.exit(error)
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }

    /// `--write-wav`: the recording, then its reference event list on stdout.
    func write(_ path: String) throws {
        let events: [DemoEventSpec]
        do {
            events = try DemoRecording.write(to: path, minutes: minutes ?? 1, seed: seed, siren: siren)
        } catch {
            throw Self.exit(error)
        }
        for e in events {
            print(DemoRecording.referenceLine(file: path, event: e))
        }
    }

    /// Says `error` on stderr and gives its exit code: 2 for a bad value, 3 otherwise.
    static func exit(_ error: AgentError) -> ExitCode {
        FileHandleStderr.write("earshot demo: \(error.message)\n")
        return ExitCode(error.kind == .config ? 2 : 3)
    }
}

/// stderr without Foundation.
enum FileHandleStderr {
    static func write(_ s: String) {
        StandardError.write(s)
    }
}
