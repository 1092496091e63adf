// `earshot meter`: live A-weighted level, octave-band bars, LAeq/LAmax over the
// run and a clipping warning, from the real capture through the AnalysisChain.
import EarshotAgent
import EarshotConfig
import EarshotDSP
import EarshotText
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of `earshot meter` (and of `earshot listen`).
public enum MeterExit {
    /// The run ended normally (duration reached, input ended, or Ctrl-C).
    public static let ok: Int32 = 0
    /// Board file or options invalid.
    public static let config: Int32 = 2
    /// The audio device or file could not be used, or delivered nothing.
    public static let audio: Int32 = 3
}

/// What `earshot meter` is asked to do.
public struct MeterOptions: Sendable {
    public var source: LiveSource
    /// One JSON object per update instead of text.
    public var json = false
    /// Hops (10 ms) per update: 10 → 10 updates per second of audio.
    public var hopsPerUpdate = 10
    /// Redraw one line in place (a terminal) instead of one line per update.
    public var inPlace = false

    public init(source: LiveSource) { self.source = source }
}

/// Running sums of one meter run (energies are mean-square ratios re 0 dBFS).
public struct MeterTotals: Sendable, Equatable {
    /// Hops analysed.
    public var hops = 0
    /// LAeq over the run, dBFS.
    public var laeqDBFS = -120.0
    /// Largest 10 ms A-weighted level, dBFS.
    public var lamaxDBFS = -120.0
    /// Largest sample, dBFS re a full-scale sine's peak.
    public var peakDBFS = -120.0
    /// Samples at full scale.
    public var clippedSamples = 0
    /// Leq per octave band (63 Hz … 8 kHz) over the run, dBFS.
    public var bandLeqDBFS = [Double](repeating: -120, count: 8)
}

/// Octave-band centres of `FeatureFrame.bandLevel`, Hz.
public let meterBandCentresHz = [63, 125, 250, 500, 1_000, 2_000, 4_000, 8_000]

/// Runs the meter; `out` receives each line (no newline; with `inPlace`, lines
/// starting with "\r" redraw). Returns the exit status and the run's totals.
public func runMeter(_ options: MeterOptions, stop: () -> Bool = { false },
                     out: (String) -> Void) -> (exitCode: Int32, totals: MeterTotals) {
    let live: LiveFrames
    do { live = try LiveFrames(options.source) } catch {
        out(options.json ? diagnosticErrorJSON(error.message) : "earshot meter: \(error.message)")
        return (error.kind == .config ? MeterExit.config : MeterExit.audio, MeterTotals())
    }
    defer { live.stop() }
    let offset = live.board.microphone.effectiveOffsetDB
    let maxHops = options.source.durationSeconds.map { Int(($0 * Double(live.rate) / Double(live.hop)).rounded()) }
    // The header waits for the first audio: a device that gives none prints one line, the error.
    var headerDue = !options.json
    var totals = MeterTotals()
    var runA = 0.0, runBands = [Double](repeating: 0, count: 8)
    var winA = 0.0, winBands = [Double](repeating: 0, count: 8), winHops = 0, winClipped = 0, winPeak = -120.0
    let n: Int
    do {
        n = try live.run(maxHops: maxHops) { frame, _ in
            if headerDue {
                headerDue = false
                out("earshot meter: \(live.inputDescription); " + (offset.map { "calibrated: 0 dBFS = \(FixedDecimal.string($0, 1)) dB SPL" }
                                                                     ?? "uncalibrated (dBFS; `earshot calibrate` sets dB SPL)"))
                out("   time   LA dBFS  0 dBFS at right            LAeq   LAmax  bands 63 125 250 500 1k 2k 4k 8k")
            }
            let la = LiveMath.db(frame.levelA)
            let pa = LiveMath.power(la)
            winA += pa; runA += pa
            for b in 0..<8 {
                let p = frame.bandLevel[b] > FeatureFrame.floor ? LiveMath.power(LiveMath.db(frame.bandLevel[b])) : 0
                winBands[b] += p; runBands[b] += p
            }
            totals.hops += 1
            totals.lamaxDBFS = max(totals.lamaxDBFS, la)
            let peak = LiveMath.db(frame.peak)
            totals.peakDBFS = max(totals.peakDBFS, peak)
            winPeak = max(winPeak, peak)
            winClipped += Int(frame.clippedSamples)
            totals.clippedSamples += Int(frame.clippedSamples)
            winHops += 1
            guard winHops >= options.hopsPerUpdate else { return true }
            let t = Double(totals.hops * live.hop) / Double(live.rate)
            let laWin = LiveMath.level(winA / Double(winHops))
            let bands = winBands.map { LiveMath.level($0 / Double(winHops)) }
            totals.laeqDBFS = LiveMath.level(runA / Double(totals.hops))
            if options.json {
                out(meterJSONLine(timeSeconds: t, laDBFS: laWin, laeqDBFS: totals.laeqDBFS, lamaxDBFS: totals.lamaxDBFS, peakDBFS: winPeak,
                                  bandsDBFS: bands, clippedSamples: winClipped, offsetDB: offset))
            } else {
                let line = "\(options.inPlace ? "\r" : "")\(lpadMeter(FixedDecimal.string(t, 1), 7)) \(lpadMeter(FixedDecimal.string(laWin, 1), 8))  \(meterBar(laWin, width: 26))  "
                    + "\(lpadMeter(FixedDecimal.string(totals.laeqDBFS, 1), 6)) \(lpadMeter(FixedDecimal.string(totals.lamaxDBFS, 1), 6))  \(bands.map(meterSpark).joined())"
                    + (winClipped > 0 ? "  CLIPPING: \(winClipped) samples at full scale — lower the input gain (alsamixer)" : "")
                out(line)
            }
            winA = 0; winBands = [Double](repeating: 0, count: 8); winHops = 0; winClipped = 0; winPeak = -120
            return !stop()
        }
    } catch {
        out(options.json ? diagnosticErrorJSON(error.message) : "earshot meter: \(error.message)")
        return (MeterExit.audio, totals)
    }
    if n > 0 {
        totals.laeqDBFS = LiveMath.level(runA / Double(n))
        totals.bandLeqDBFS = runBands.map { LiveMath.level($0 / Double(n)) }
    }
    let seconds = Double(n * live.hop) / Double(live.rate)
    if options.json {
        out(meterFinalJSONLine(seconds: seconds, totals: totals, offsetDB: offset))
    } else {
        if options.inPlace { out("") }
        var s = "over \(FixedDecimal.string(seconds, 1)) s: LAeq \(FixedDecimal.string(totals.laeqDBFS, 1)) dBFS, LAmax \(FixedDecimal.string(totals.lamaxDBFS, 1)) dBFS, peak \(FixedDecimal.string(totals.peakDBFS, 1)) dBFS"
        if let o = offset { s += " (LAeq \(FixedDecimal.string(totals.laeqDBFS + o, 1)) dB SPL, LAmax \(FixedDecimal.string(totals.lamaxDBFS + o, 1)) dB SPL)" }
        out(s)
        out("band Leq dBFS: " + zip(meterBandCentresHz, totals.bandLeqDBFS).map { "\($0.0 >= 1000 ? "\($0.0 / 1000)k" : "\($0.0)") \(FixedDecimal.string($0.1, 1))" }.joined(separator: ", "))
        if totals.clippedSamples > 0 {
            out("WARNING: \(totals.clippedSamples) samples clipped at full scale: levels above are too low; lower the input gain")
        }
    }
    return (MeterExit.ok, totals)
}

/// A bar from −90 dBFS (empty) to 0 dBFS (full), `width` characters.
func meterBar(_ db: Double, width: Int) -> String {
    let filled = max(0, min(width, Int(((db + 90) / 90 * Double(width)).rounded())))
    return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
}

/// One character per band: ▁ (≤ −80 dBFS) … █ (≥ −10 dBFS), with a space between bands.
func meterSpark(_ db: Double) -> String {
    let ramp: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    let i = max(0, min(7, Int(((db + 80) / 70 * 7).rounded())))
    return " " + String(ramp[i]) + " "
}

func lpadMeter(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
