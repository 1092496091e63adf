import EarshotOffline
import EarshotConfig
import EarshotPlatform
import ArgumentParser
import EarshotAgent
import EarshotAudio
#if canImport(Glibc)
import Glibc
#endif

/// `earshot analyze`: runs the whole analysis offline over WAV files.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Detect sound events in WAV files (offline analysis).",
        discussion: """
            Reads WAV files (PCM 8/16/24/32-bit, float 32-bit, extensible; 8000-48000 Hz; \
            any channel count), runs the fixed-point analysis chain designed for each file's \
            rate (10 ms hops) and the detection engine, and prints one line per event. \
            Directories are walked recursively; their *.wav files are analysed in sorted order. \
            A dangling symbolic link met in the walk is skipped, and a directory named *.wav is \
            walked as a folder; each says so in one line "analyze: <path>: <what>" on stderr.

            Formats:
              table  aligned columns (default when stdout is a terminal)
              jsonl  one JSON object per event (default otherwise); keys: file, class,
                     onset_s, offset_s, duration_s, onset_sample, peak_dbfs, peak_db_spl
                     (null unless calibrated), confidence
              dcase  filename<TAB>onset_s<TAB>offset_s<TAB>class (DCASE event list)

            A file that cannot be read prints one line "<file>: <reason>" on stderr and the \
            run continues with the other files. A progress bar is drawn on stderr when \
            stderr is a terminal.

            Exit codes: 0 every file analysed; 1 at least one file could not be read \
            (the others were analysed); 2 the signature table or board file could not be \
            used (nothing analysed); 64 bad command line.
            """)

    @Argument(help: "WAV files or directories to analyse.")
    var paths: [String]

    @Option(help: "Output format: table, jsonl or dcase (default: table on a terminal, jsonl otherwise).")
    var format: OfflineReportFormat?

    @Option(help: "Signature table file (default: the table built into earshot).")
    var table: String?

    @Option(help: "Board file: its microphone calibration turns peaks into dB SPL, its analysis_channel is the default --channel.")
    var board: String?

    @Option(help: "Channel of multichannel files: a 0-based index or 'mean' (default: the board's analysis_channel, else 0).")
    var channel: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one WAV file or directory") }
        _ = try selection()
    }

    private func selection() throws -> WAVChannelSelection? {
        guard let channel else { return nil }
        if channel == "mean" { return .mean }
        guard let n = Int(channel), n >= 0 else {
            throw ValidationError("--channel '\(channel)': expected a 0-based channel index or 'mean'")
        }
        return .channel(n)
    }

    func run() throws {
        var selection = try selection() ?? .channel(0)
        var splOffsetDB: Double? = nil
        if let board {
            do {
                let config = try BoardConfig.load(path: try BoardChoice.locate(board))
                splOffsetDB = config.microphone.effectiveOffsetDB
                if self.channel == nil {
                    switch config.audio.analysisChannel {
                    case .index(let i): selection = .channel(i)
                    case .mean: selection = .mean
                    }
                }
            } catch {
                printError(error.description)
                throw ExitCode(2)
            }
        }
        let format = self.format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .jsonl)
        let analyzer: OfflineAnalyzer
        do {
            analyzer = try OfflineAnalyzer(tablePath: table, splOffsetDB: splOffsetDB,
                                           options: OfflineFrameOptions(selection: selection))
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let inputs = expandOfflineInputs(paths)
        let files = inputs.filter { if case .file = $0 { return true } else { return false } }.count
        var bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1, files: files)
        var failures = 0
        if let header = format.header { print(header) }
        for input in inputs {
            switch input {
            case .unusable(let message):
                bar.clear()
                printError(message)
                failures += 1
            case .note(let message):
                bar.clear()
                printError("analyze: " + message)
            case .file(let path):
                bar.startFile(path)
                if let warning = truncationWarning(path) { bar.clear(); printError(warning) }
                do {
                    _ = try analyzer.analyze(path: path, progress: { bar.update(done: $0, total: $1) }) { event in
                        bar.clear()
                        print(format.line(event))
                    }
                } catch {
                    bar.clear()
                    printError(error.description)
                    failures += 1
                }
            }
        }
        bar.finish()
        if failures > 0 { throw ExitCode(1) }
    }
}

extension OfflineReportFormat: ExpressibleByArgument {}

/// The warning for a WAV file cut short (its data chunk declares more than the file
/// holds: a recorder stopped by power loss), which is analysed up to where it ends; nil
/// for a whole file or one that cannot be read (its error is reported by the analysis).
func truncationWarning(_ path: String) -> String? {
    (try? WAVReader(path: path, selection: .channel(0)))?.format.truncationWarning(path: path)
}

/// Writes one line to stderr (flushing stdout first so the streams interleave sensibly).
func printError(_ line: String) {
    fflush(nil)
    writeStderr(line + "\n")
}

/// Writes `text` to file descriptor 2, unbuffered.
func writeStderr(_ text: String) { StandardError.write(text) }

/// A one-line progress bar on stderr: file k of n and percent of the current file.
struct ProgressBar {
    let enabled: Bool
    let files: Int
    private var index = 0
    private var name = ""
    private var shown = false
    private var lastPercent = -1

    init(enabled: Bool, files: Int) {
        self.enabled = enabled
        self.files = files
    }

    mutating func startFile(_ path: String) {
        index += 1
        name = path.split(separator: "/").last.map(String.init) ?? path
        lastPercent = -1
        update(done: 0, total: 1)
    }

    mutating func update(done: Int64, total: Int64) {
        guard enabled else { return }
        let percent = total > 0 ? Int(done * 100 / total) : 100
        if percent == lastPercent { return }
        lastPercent = percent
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        fflush(nil)
        writeStderr("\r[\(bar)] \(percent)% file \(index)/\(files) \(name)\u{1B}[K")
        shown = true
    }

    mutating func clear() {
        guard enabled, shown else { return }
        writeStderr("\r\u{1B}[K")
        shown = false
        lastPercent = -1
    }

    mutating func finish() { clear() }
}
