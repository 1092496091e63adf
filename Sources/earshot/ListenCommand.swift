import EarshotDiagnostics
import ArgumentParser
import EarshotAgent

/// `earshot listen`: what the detector hears, live.
struct ListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Live top class scores and the feature values that drive them: why a sound did or did not fire.",
        discussion: """
            Runs the agent's capture, AnalysisChain and DetectionEngine (same table as `earshot run`) and, \
            every 100 ms, shows the best hop of each class: score (spectral × SNR factor, halved when a gate \
            fails: the detector's confidence formula on one hop), spectral match (1 − band error / 12 dB), band \
            SNR vs min_snr_db, tonality vs min_tonality_db, level gate, the state machine's phase \
            (idle/pending/active/rejected/tracking/cooldown) and, in words, the first reason it did not fire. \
            When a candidate sound got past the per-hop gates but a temporal rule turned it down in the last \
            3 s, the reason names that table field with the measured value and the limit (e.g. "lasted 180 ms \
            < min_duration_ms 300"). \
            Events print as they are reported. Tune the table (earshot table show > t.json; --table t.json) \
            with what this shows.

            --json prints one object per update: {"t_s": audio time s, "la_dbfs", "events":[{"class","phase",\
            "onset_s","confidence" 0…1,"peak_dbfs"}], "classes":[{"class","score" 0…1,"state","spectral" 0…1,\
            "band_error_db","max_band_error_db","snr_db","min_snr_db","snr_margin_db","tonality_db"|null,\
            "min_tonality_db"|null,"level_dbfs","min_level_dbfs"|null,"gates":{"spectral","snr","tonal","level"},\
            "last_rejection":null|{"rule": table field,"value","limit" (the field's unit, null when it has no \
            number),"ago_s"},"why"}]} (classes best score first, --top of them).

            Examples:
              earshot listen
              earshot listen --device plughw:1,0 --top 3
              earshot listen --file street.wav --fast --json
              earshot listen --table my-table.json --board /etc/earshot/boards/rpi4-respeaker-4mic.toml

            Exit codes: 0 run ended (duration, end of file or Ctrl-C); 2 bad board/table file or option; \
            3 the device or file cannot be used or delivers no audio.
            """)

    @OptionGroup var live: LiveSourceOptions

    @Option(help: "Replay this WAV file instead of capturing (in real time unless --fast).")
    var file: String?

    @Flag(help: "Replay --file as fast as the analysis goes.")
    var fast = false

    @Option(help: "Signature table file (default: the built-in table).")
    var table: String?

    @Option(help: "Classes shown per update.")
    var top = 5

    @Flag(help: "One JSON object per update (fields in the discussion above).")
    var json = false

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be ≥ 1") }
        if file != nil && live.device != nil { throw ValidationError("give --device or --file, not both") }
    }

    func run() throws {
        var source = live.source()
        source.file = file
        if let file, let warning = truncationWarning(file) { printError(warning) }
        source.fast = fast
        var options = ListenOptions(source: source)
        options.tablePath = table
        options.json = json
        options.top = top
        let r = runListen(options, stop: liveStopFlag()) { print($0) }
        if r.exitCode != 0 { throw ExitCode(r.exitCode) }
    }
}
