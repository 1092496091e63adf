import EarshotConfig
import ArgumentParser
import EarshotAgent
import EarshotDSP

/// `earshot locate`: direction of arrival of the first event in multichannel WAV files.
struct LocateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locate",
        abstract: "Find the first sound event in multichannel WAV files and print its bearing.",
        discussion: """
            Each file must hold one channel per microphone of the board's [microphone] positions_m, \
            in the same order. The onset is found on the mean of the channels with the same \
            analysis chain as `earshot run`; every channel's window from just before the onset \
            goes through fixed-point GCC-PHAT (PHAT weighting only inside --band-low…--band-high) \
            and a least-squares fit of the direction to the pair delays.

            Output: one JSON object per file: file, onset_s, onset_sample, trigger (onset|level), \
            bearing_deg (0 = board +x forward, 90 = +y left), elevation_deg (null unless the \
            microphones span 3-D), bearing_confidence (0-1), coherence, residual_samples, pairs, method (onset: the onset \
            window alone; sustained: the sound builds up or holds, i.e. its first short window is not \
            --attack-db above the onset window's mean and none of --segments short windows falls \
            --sustained-gate-db below it, and their PHAT cross-spectra are averaged), segments. \
            With a 2-microphone board the bearing is folded onto the front half-plane.

            Example: earshot locate --board Boards/rpi4-respeaker-4mic.toml shot.wav

            Exit codes: 0 every file localised; 1 a file had no event or could not be read; \
            2 the board file has no usable microphone geometry; 64 bad command line.
            """)

    @Argument(help: "Multichannel WAV files.")
    var paths: [String]

    @Option(help: "Board file with [microphone] positions_m.")
    var board: String

    @Option(help: "Window and FFT length, samples (power of two, 64-4096).")
    var window: Int = 2048

    @Option(help: "Lowest frequency of the PHAT band, Hz.")
    var bandLow: Double = 300

    @Option(help: "Highest frequency of the PHAT band, Hz.")
    var bandHigh: Double = 8000

    @Option(help: "Window start before the onset, ms.")
    var preRoll: Double = 2

    @Option(help: "Most short windows (half a short window apart) averaged for a sustained sound; 1 = onset window only.")
    var segments: Int = 16

    @Option(help: "Short-window length for sustained sounds, samples (power of two; 0 = window / 4).")
    var segmentWindow: Int = 0

    @Option(help: "Impulsive when the first short window is this many dB above the onset window's mean.")
    var attackDb: Double = 0.3

    @Option(help: "Impulsive when a short window falls this many dB below the onset window's mean.")
    var sustainedGateDb: Double = 6

    @Option(help: "Sustained sounds: leave out FFT bins less than this many dB above the background before the onset, lowered by 1 dB steps until 8 bins pass (negative: keep all).")
    var binMaskDb: Double = 10

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one WAV file") }
        if !FFTTwiddles.isSupported(size: window) || window < 64 {
            throw ValidationError("--window \(window): expected a power of two in 64…4096")
        }
        if !(1...GCCPHATLocaliser.maxSegments).contains(segments) {
            throw ValidationError("--segments \(segments): expected 1…\(GCCPHATLocaliser.maxSegments)")
        }
        if segmentWindow != 0 && (!FFTTwiddles.isSupported(size: segmentWindow) || segmentWindow < 64 || segmentWindow > window) {
            throw ValidationError("--segment-window \(segmentWindow): expected 0 or a power of two in 64…--window")
        }
        if !(sustainedGateDb >= 0) {
            throw ValidationError("--sustained-gate-db \(sustainedGateDb): expected ≥ 0")
        }
        if !(bandLow > 0 && bandHigh > bandLow) {
            throw ValidationError("--band-low \(bandLow) --band-high \(bandHigh): expected 0 < low < high")
        }
    }

    func run() throws {
        let geometry: MicArrayGeometry
        do {
            let config = try BoardConfig.load(path: try BoardChoice.locate(board))
            guard let g = MicArrayGeometry(board: config) else {
                printError("\(board): [microphone] positions_m: needs 2-8 distinct microphone positions for localisation")
                throw ExitCode(2)
            }
            geometry = g
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitCode(2)
        }
        var options = LocateOptions()
        options.fftSize = window
        options.bandLowHz = bandLow
        options.bandHighHz = bandHigh
        options.preRollMs = preRoll
        options.segments = segments
        options.sustainedGateDB = sustainedGateDb
        options.segmentSamples = segmentWindow
        options.attackDB = attackDb
        options.binMaskDB = binMaskDb < 0 ? nil : binMaskDb
        var failed = false
        for path in paths {
            do {
                let e = try FileLocator.locate(path: path, geometry: geometry, options: options)
                print(LocateJSON.line(e))
            } catch {
                printError("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
