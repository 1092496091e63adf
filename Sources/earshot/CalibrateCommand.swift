import EarshotDiagnostics
import ArgumentParser
import EarshotAgent

/// `earshot calibrate`: dBFS → dB SPL offset from an acoustic calibrator.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure an acoustic calibrator's 1 kHz tone and compute (--write: store) the dBFS→dB SPL offset.",
        discussion: """
            Put the calibrator on the microphone, switch it on, then run this. It captures --duration s \
            (default 5.5 s: 0.5 s settling + 5 s measured) from the board's device through the agent's \
            AnalysisChain, and refuses the measurement if the input clips (or peaks above −1 dBFS), if the \
            sound is not a 1 kHz tone (the 1 kHz octave band must hold the level within 1 dB), if any 0.5 s \
            block moves more than ±0.2 dB from the mean, or if the level is below −70 dBFS. The offset is \
            reference − measured dBFS (dB SPL that reads as 0 dBFS), written with --write as \
            [microphone] calibration_offset_db in the board file, comments and layout kept.

            Examples:
              earshot calibrate --reference-db 94 --board /etc/earshot/boards/rpi4-respeaker-4mic.toml
              earshot calibrate --reference-db 114 --device plughw:1,0 --board my-board.toml --write

            Exit codes: 0 measured (and written with --write); 2 bad board file or option, or the board \
            file cannot be written; 3 the device cannot be opened or delivers no audio; 6 measurement refused \
            (clipping, unstable, not a 1 kHz tone, too quiet).
            """)

    @Option(help: "The calibrator's level in dB SPL (94 or 114 usually).")
    var referenceDb: Double

    @OptionGroup var live: LiveSourceOptions

    @Option(help: "Allowed deviation of each 0.5 s block from the mean, dB.")
    var stabilityDb = 0.2

    @Flag(help: "Write calibration_offset_db into the board file.")
    var write = false

    func validate() throws {
        if !(30...160).contains(referenceDb) { throw ValidationError("--reference-db \(referenceDb) is not a calibrator level (30…160 dB SPL); use 94 or 114") }
        if let d = live.duration, d < 1.5 { throw ValidationError("--duration must be at least 1.5 s (0.5 s settling + 1 s measured)") }
    }

    func run() throws {
        var options = CalibrateOptions(source: live.source())
        if live.duration == nil { options.source.durationSeconds = 5.5 }
        options.referenceDB = referenceDb
        options.stabilityDB = stabilityDb
        options.write = write
        let r = runCalibrate(options) { print($0) }
        if r.exitCode != 0 { throw ExitCode(r.exitCode) }
    }
}
