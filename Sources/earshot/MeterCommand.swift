import EarshotDiagnostics
import EarshotPlatform
import ArgumentParser
import EarshotAgent
#if canImport(Glibc)
import Glibc
#endif

/// Options naming a live audio source, shared by meter, listen and calibrate.
struct LiveSourceOptions: ParsableArguments {
    @Option(help: "ALSA capture device (overrides the board file's [audio] device), e.g. plughw:1,0.")
    var device: String?

    @Option(help: "Board: a file, or a bare name (generic) from the installed boards folder ([audio] and [microphone] calibration; default: the site file's board).")
    var board: String?

    @Option(name: .customLong("config"), help: "Site file whose board to use (default $EARSHOT_SITE, else /etc/earshot/site.toml when present, else the board generic).")
    var site: String?

    @Option(help: "Stop after this many seconds of audio (default: meter and listen until Ctrl-C or the end of --file; calibrate 5.5 s).")
    var duration: Double?

    func source() -> LiveSource {
        var s = LiveSource(boardPath: board, device: device, durationSeconds: duration)
        s.sitePath = site
        return s
    }
}

/// Ctrl-C / SIGTERM end a live command cleanly (the summary still prints).
func liveStopFlag() -> () -> Bool {
    guard let signals = try? SignalHandling.install() else { return { false } }
    return { signals.peek().shouldStop }
}

/// `earshot meter`: live sound level meter.
struct MeterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter",
        abstract: "Live A-weighted level and octave-band bars (~10 updates/s), LAeq/LAmax over the run, clipping warning.",
        discussion: """
            Captures from the board's ALSA device (or --device) exactly as `earshot run` does and runs the \
            agent's AnalysisChain: every 100 ms of audio it prints the A-weighted level (LA, energy mean of ten \
            10 ms hops), a bar from −90 to 0 dBFS, LAeq and LAmax (largest 10 ms LA) since the start, and one \
            glyph per octave band (63 Hz … 8 kHz, ▁ ≤ −80 dBFS … █ ≥ −10 dBFS). Samples at full scale print \
            a CLIPPING warning. 0 dBFS = the mean square of a full-scale sine. With a calibrated board \
            ([microphone] calibration_offset_db or sensitivity_dbfs) the summary gives dB SPL too.

            --json prints one object per update:
              {"t_s": audio time s, "la_dbfs": LA over the update dBFS, "laeq_dbfs", "lamax_dbfs": since start dBFS,
               "peak_dbfs": largest sample dBFS re a full-scale sine's peak, "bands_dbfs": [8 octave-band Leq dBFS,
               63 Hz…8 kHz, −120 = silent/inactive], "clipped_samples": count in the update, "clipping": bool,
               "la_db_spl", "laeq_db_spl", "lamax_db_spl": dB SPL or null when uncalibrated}
            and at the end {"final":true,"duration_s","laeq_dbfs","lamax_dbfs","peak_dbfs","bands_leq_dbfs":[8],
            "clipped_samples","laeq_db_spl","lamax_db_spl"}.

            Examples:
              earshot meter
              earshot meter --device plughw:1,0 --duration 10
              earshot meter --board /etc/earshot/boards/rpi4-respeaker-4mic.toml --json

            Exit codes: 0 run ended (duration, end of input or Ctrl-C); 2 bad board file or option; \
            3 the device cannot be opened or delivers no audio.
            """)

    @OptionGroup var live: LiveSourceOptions

    @Flag(help: "One JSON object per update (fields in the discussion above).")
    var json = false

    func validate() throws {
        if let d = live.duration, !(d > 0) { throw ValidationError("--duration must be > 0 seconds") }
    }

    func run() throws {
        var options = MeterOptions(source: live.source())
        options.json = json
        options.inPlace = !json && isatty(1) != 0
        let stop = liveStopFlag()
        let r = runMeter(options, stop: stop) { print($0, terminator: options.inPlace && $0.hasPrefix("\r") ? "" : "\n"); fflush(nil) }
        if r.exitCode != 0 { throw ExitCode(r.exitCode) }
    }
}
