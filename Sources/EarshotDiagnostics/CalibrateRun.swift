// `earshot calibrate`: with an acoustic calibrator (1 kHz, e.g. 94 dB SPL) on the
// microphone, measures the tone through the real capture and AnalysisChain,
// checks it is tonal, stable and unclipped, and computes (optionally writes) the
// board's `microphone.calibration_offset_db` (dB SPL that reads as 0 dBFS).
import EarshotAgent
import EarshotConfig
import EarshotDSP
import EarshotText

/// Exit statuses of `earshot calibrate`.
public enum CalibrateExit {
    /// Measured (and written with --write).
    public static let ok: Int32 = 0
    /// Board file or options invalid, or the board file could not be written.
    public static let config: Int32 = 2
    /// The device cannot be opened or delivers no audio.
    public static let audio: Int32 = 3
    /// The measurement was refused: clipping, unstable, not a 1 kHz tone, too quiet.
    public static let refused: Int32 = 6
}

/// What `earshot calibrate` is asked to do.
public struct CalibrateOptions: Sendable {
    public var source: LiveSource
    /// The calibrator's level, dB SPL (94 or 114 usually).
    public var referenceDB = 94.0
    /// Every 0.5 s block must be within ± this of the mean, dB.
    public var stabilityDB = 0.2
    /// Audio ignored at the start while the calibrator settles, s.
    public var settleSeconds = 0.5
    /// Write the offset into the board file.
    public var write = false

    /// Defaults: 5 s of measurement after 0.5 s of settling.
    public init(source: LiveSource) {
        self.source = source
        if self.source.durationSeconds == nil { self.source.durationSeconds = 5.5 }
    }
}

/// The outcome of one calibration.
public struct CalibrationResult: Sendable, Equatable {
    /// Mean-square level of the tone (unweighted, after DC blocking), dBFS.
    public var levelDBFS = -120.0
    /// 1 kHz octave band and 1 kHz Goertzel bin levels, dBFS.
    public var band1kDBFS = -120.0
    public var bin1kDBFS = -120.0
    /// Smallest and largest 0.5 s block level relative to the mean, dB.
    public var blockMinDB = 0.0
    public var blockMaxDB = 0.0
    /// Largest sample, dBFS re a full-scale sine's peak; samples at full scale.
    public var peakDBFS = -120.0
    public var clippedSamples = 0
    /// dB SPL that reads as 0 dBFS: reference − levelDBFS.
    public var offsetDB = 0.0
    /// Why the measurement is refused (empty: accepted).
    public var refusal: [String] = []
}

/// Runs the calibration; `out` receives each line. Returns the exit status and the result.
public func runCalibrate(_ options: CalibrateOptions, out: (String) -> Void) -> (exitCode: Int32, result: CalibrationResult) {
    var result = CalibrationResult()
    let live: LiveFrames
    do { live = try LiveFrames(options.source) } catch {
        out("earshot calibrate: \(error.message)")
        return (error.kind == .config ? CalibrateExit.config : CalibrateExit.audio, result)
    }
    defer { live.stop() }
    let duration = options.source.durationSeconds ?? 5.5
    let hopSeconds = Double(live.hop) / Double(live.rate)
    let settleHops = Int((options.settleSeconds / hopSeconds).rounded())
    let totalHops = Int((duration / hopSeconds).rounded())
    let blockHops = Int((0.5 / hopSeconds).rounded())
    let bin1k = (0..<Int(live.config.binCount)).first { live.config.binFrequencies[$0] == 1_000 }
    out("earshot calibrate: \(live.inputDescription); reference \(FixedDecimal.string(options.referenceDB, 1)) dB SPL at 1 kHz; "
        + "measuring \(FixedDecimal.string(duration - options.settleSeconds, 1)) s after \(FixedDecimal.string(options.settleSeconds, 1)) s of settling")
    var sumZ = 0.0, sumBand = 0.0, sumBin = 0.0, n = 0, binN = 0
    var blocks: [Double] = [], blockSum = 0.0, blockN = 0
    do {
        _ = try live.run(maxHops: totalHops) { frame, _ in
            result.peakDBFS = max(result.peakDBFS, LiveMath.db(frame.peak))
            result.clippedSamples += Int(frame.clippedSamples)
            if frame.hopIndex < Int64(settleHops) { return true }
            let pz = LiveMath.power(LiveMath.db(frame.levelZ))
            sumZ += pz; n += 1
            sumBand += LiveMath.power(LiveMath.db(frame.bandLevel[4]))
            if let b = bin1k, frame.hopIndex % Int64(live.config.goertzelBlockHops) == 0 {
                sumBin += LiveMath.power(LiveMath.db(frame.binPower[b])); binN += 1
            }
            blockSum += pz; blockN += 1
            if blockN == blockHops { blocks.append(LiveMath.level(blockSum / Double(blockN))); blockSum = 0; blockN = 0 }
            return true
        }
    } catch {
        out("earshot calibrate: \(error.message)")
        return (CalibrateExit.audio, result)
    }
    guard n > 0 else {
        out("earshot calibrate: the input ended during the \(FixedDecimal.string(options.settleSeconds, 1)) s settling time; nothing measured")
        return (CalibrateExit.audio, result)
    }
    result.levelDBFS = LiveMath.level(sumZ / Double(n))
    result.band1kDBFS = LiveMath.level(sumBand / Double(n))
    result.bin1kDBFS = binN > 0 ? LiveMath.level(sumBin / Double(binN)) : -120
    if !blocks.isEmpty {
        result.blockMinDB = blocks.min()! - result.levelDBFS
        result.blockMaxDB = blocks.max()! - result.levelDBFS
    }
    result.offsetDB = options.referenceDB - result.levelDBFS

    out("  tone level:  \(FixedDecimal.string(result.levelDBFS, 2)) dBFS (unweighted mean square over \(FixedDecimal.string(Double(n) * hopSeconds, 1)) s); "
        + "1 kHz octave \(FixedDecimal.string(result.band1kDBFS, 2)) dBFS, 1 kHz bin \(FixedDecimal.string(result.bin1kDBFS, 2)) dBFS")
    out("  stability:   \(blocks.count) blocks of 0.5 s within \(FixedDecimal.string(result.blockMinDB, 2))…+\(FixedDecimal.string(result.blockMaxDB, 2)) dB of the mean (limit ±\(FixedDecimal.string(options.stabilityDB, 2)) dB)")
    out("  clipping:    \(result.clippedSamples == 0 ? "none" : "\(result.clippedSamples) samples at full scale") (peak \(FixedDecimal.string(result.peakDBFS, 1)) dBFS)")

    if result.clippedSamples > 0 || result.peakDBFS > -1 {
        result.refusal.append("the input clips (peak \(FixedDecimal.string(result.peakDBFS, 1)) dBFS): lower the capture gain (alsamixer) and run again")
    }
    if result.levelDBFS < -70 {
        result.refusal.append("no calibrator tone: the level is \(FixedDecimal.string(result.levelDBFS, 1)) dBFS; seat the calibrator on the microphone and switch it on")
    } else if result.band1kDBFS < result.levelDBFS - 1 || result.bin1kDBFS < result.levelDBFS - 3 {
        result.refusal.append("not a 1 kHz tone: the 1 kHz octave holds \(FixedDecimal.string(result.band1kDBFS - result.levelDBFS, 1)) dB and the 1 kHz bin "
                              + "\(FixedDecimal.string(result.bin1kDBFS - result.levelDBFS, 1)) dB of the level (need ≥ −1 and ≥ −3 dB): "
                              + "check the calibrator is at 1 kHz and the street is quiet enough")
    }
    if blocks.count < 2 {
        result.refusal.append("too short: need at least 1 s after settling (use --duration ≥ \(FixedDecimal.string(options.settleSeconds + 1, 1)))")
    } else if result.blockMinDB < -options.stabilityDB || result.blockMaxDB > options.stabilityDB {
        result.refusal.append("unstable: the level moved \(FixedDecimal.string(result.blockMinDB, 2))…+\(FixedDecimal.string(result.blockMaxDB, 2)) dB (limit ±\(FixedDecimal.string(options.stabilityDB, 2)) dB); "
                              + "hold the calibrator still, fully seated, and run again")
    }
    if !result.refusal.isEmpty {
        for r in result.refusal { out("REFUSED  \(r)") }
        return (CalibrateExit.refused, result)
    }
    let rounded = (result.offsetDB * 100).rounded() / 100
    out("PASS  offset: \(FixedDecimal.string(rounded, 2)) dB SPL at 0 dBFS (\(FixedDecimal.string(options.referenceDB, 1)) dB SPL reference − (\(FixedDecimal.string(result.levelDBFS, 2)) dBFS))")
    let file = live.boardFile
    if options.write {
        do {
            try ConfigFile.set("microphone.calibration_offset_db", to: .float(rounded), inFile: file)
        } catch {
            out("earshot calibrate: cannot write \(file): \(error.description)")
            return (CalibrateExit.config, result)
        }
        out("wrote microphone.calibration_offset_db = \(TOMLValue.floatText(rounded)) to \(file); restart the agent (systemctl restart earshot) to use it")
    } else {
        out("not written: run again with --write to store microphone.calibration_offset_db = \(TOMLValue.floatText(rounded)) in \(file)")
    }
    return (CalibrateExit.ok, result)
}
