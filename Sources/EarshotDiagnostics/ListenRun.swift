// `earshot listen`: what the detector hears, live — per class the spectral match,
// SNR margin, tonality and level gates, the temporal state, and why it did not
// fire; events as they are reported. Same capture, chain and DetectionEngine as
// `earshot run`; the per-class view comes from `DetectionEngine.explain`.
import EarshotAgent
import EarshotConfig
import EarshotDSP
import EarshotDetection
import EarshotSignatures
import EarshotText

/// What `earshot listen` is asked to do.
public struct ListenOptions: Sendable {
    public var source: LiveSource
    /// Signature table file (nil: the built-in table).
    public var tablePath: String?
    /// One JSON object per update.
    public var json = false
    /// Hops (10 ms) per update.
    public var hopsPerUpdate = 10
    /// Classes shown per update (best score first).
    public var top = 5

    public init(source: LiveSource) { self.source = source }
}

/// One class as `earshot listen` shows it: the entry's best hop of the update.
public struct ListenClassView: Sendable, Equatable {
    public var className: String
    /// spectral × SNR margin factor (the confidence the hop would give), 0…1.
    public var score: Double
    public var explanation: EntryExplanation
    /// The first gate or rule that kept the class from firing, in words.
    public var why: String
}

/// Ranks a hop's explanation: spectral (0…1) × (0.5 + SNR margin / 24 dB, clamped 0.5…1),
/// zero when a per-hop gate fails — the detector's confidence formula on one hop.
func listenScore(_ x: EntryExplanation) -> Double {
    let spectral = Double(Int(x.spectral)) / 32_767
    let margin = min(1, max(0.5, 0.5 + Double(Int(x.snr) - Int(x.minSNR)) / 256 / 24))
    let s = spectral * margin
    return x.matches ? s : s * 0.5
}

/// Why entry `x` is not firing, in plain words (units in the text).
func listenWhy(_ x: EntryExplanation, hopSeconds: Double = 0.01) -> String {
    func db(_ q: Int16) -> String { FixedDecimal.string(Double(Int(q)) / 256, 1) }
    switch x.state {
    case .inactive: return "inactive at this sample rate (its tonal bins have no Goertzel bin)"
    case .active: return "firing (sustained sound confirmed)"
    case .cooldown: return "in cooldown after an event"
    default: break
    }
    if !x.levelOK { return "too quiet: level \(db(x.level)) dBFS < min \(db(x.minLevel)) dBFS" }
    if !x.snrOK { return "not above background: SNR \(db(x.snr)) dB < min \(db(x.minSNR)) dB" }
    if !x.spectralOK {
        return "spectrum does not match: band error \(FixedDecimal.string(Double(x.bandError) / 256, 1)) dB > max \(db(x.maxBandError)) dB"
    }
    if !x.tonalOK {
        let t = x.tonality == Signature.off ? "none" : "\(db(x.tonality)) dB"
        return "tonality \(t) outside the entry's range (min \(x.minTonality == Signature.off ? "-" : db(x.minTonality)) dB)"
    }
    switch x.state {
    case .pending: return "matching; waiting for min duration / sweep / repetition to confirm"
    case .tracking: return "impulse candidate; judged when its level decays"
    case .rejected: return "outlasted max duration unconfirmed (steady sound); waits until it stops"
    default:
        if x.state == .idle && x.isImpulsive && x.minRise != Signature.off && x.rise < x.minRise {
            let last = listenRejection(x, hopSeconds: hopSeconds, within: 3).map { "; last candidate: \($0.text)" } ?? ""
            return "this hop matches but does not rise sharply: \(db(x.rise)) dB/ms < min_rise_db_per_ms \(db(x.minRise))\(last)"
        }
        if let last = listenRejection(x, hopSeconds: hopSeconds, within: 3) {
            return "this hop matches; the last candidate was turned down \(FixedDecimal.string(last.agoSeconds, 1)) s ago: \(last.text)"
        }
        return "this hop matches; the temporal rules (onset, duration, confidence) decide"
    }
}

/// The entry's last turned-down candidate within `within` seconds: the table field,
/// the measured value and the limit in the field's own unit (ms, dB, dBFS, count,
/// fraction, Hz; nil where the rule has no number), and a sentence.
struct ListenRejection: Equatable {
    var field: String
    var value: Double?
    var limit: Double?
    var agoSeconds: Double
    var text: String
}

func listenRejection(_ x: EntryExplanation, hopSeconds: Double, within seconds: Double) -> ListenRejection? {
    let r = x.lastRejection
    guard r.rule != .none, x.hopsSinceRejection >= 0 else { return nil }
    let ago = Double(x.hopsSinceRejection) * hopSeconds
    guard ago <= seconds else { return nil }
    let v = Double(r.value), l = Double(r.limit)
    func db(_ q: Double) -> String { FixedDecimal.string(q / 256, 1) }
    func said(_ field: String, _ value: Double?, _ limit: Double?, _ text: String) -> ListenRejection {
        ListenRejection(field: field, value: value, limit: limit, agoSeconds: ago, text: text)
    }
    /// A Q15 share of the sound's hops below its `field` limit ("matched 0.41 of its hops < …").
    func share(_ field: String, _ what: String) -> ListenRejection {
        said(field, v / 32_768, l / 32_768,
             "\(what) \(FixedDecimal.string(v / 32_768, 2)) of its hops < \(field) \(FixedDecimal.string(l / 32_768, 2))")
    }
    func ms(_ field: String, _ what: String, _ cmp: String) -> ListenRejection {
        said(field, v, l, "\(what) \(Int(v)) ms \(cmp) \(field) \(Int(l))")
    }
    switch r.rule {
    case .none: return nil
    case .minDuration: return ms("min_duration_ms", "lasted", "<")
    case .maxDuration: return ms("max_duration_ms", "lasted", ">")
    case .maxDecay: return ms("max_decay_ms", "took from peak to end", ">")
    case .maxHold: return ms("max_hold_ms", "held within 3 dB of its peak", ">")
    case .spectrumAtPeak:
        return said("max_band_error_db", nil, nil, "the loudest hop's spectrum did not match the template (max_band_error_db)")
    case .tonalityAtPeak:
        return said("min_tonality_db", nil, nil, "the loudest hop's tonality was outside min/max_tonality_db")
    case .snrAtPeak:
        return said("min_snr_db", v / 256, l / 256, "SNR at the peak \(db(v)) dB < min_snr_db \(db(l))")
    case .minCrest:
        return said("min_crest_db", v / 256, l / 256, "crest factor \(db(v)) dB < min_crest_db \(db(l))")
    case .minLevel:
        return said("min_level_dbfs", v / 256, l / 256, "peak level \(db(v)) dBFS < the entry's minimum \(db(l)) dBFS")
    case .minTransients:
        return said("min_transients", v, l, "\(Int(v)) onset(s) < min_transients \(Int(l))")
    case .minConfidence:
        return said("min_confidence", v / 65_535, l / 65_535,
                    "confidence \(FixedDecimal.string(v / 65_535, 2)) < min_confidence \(FixedDecimal.string(l / 65_535, 2))")
    case .matchFraction: return share("min_match_fraction", "matched")
    case .sweepBins:
        return said("sweep_bins", v, l, "\(Int(v)) distinct strongest tonal bin(s), outside sweep_bins (limit \(Int(l)))")
    case .repetition:
        return said("repetition_hz", v / 256, l / 256,
                    "\(FixedDecimal.string(v / 256, 1)) onsets/s, outside repetition_hz (limit \(FixedDecimal.string(l / 256, 1)))")
    case .pitchContinuity: return share("min_pitch_continuity", "pitch continued the track in")
    case .pitchMoving: return share("min_pitch_moving", "pitch moved in")
    case .pitchSpan:
        return said("min_pitch_span", v / 256, l / 256,
                    "pitch spanned \(FixedDecimal.string(v / 256, 2))x < min_pitch_span \(FixedDecimal.string(l / 256, 2))")
    case .claimed:
        let claimant = SoundClass(rawValue: UInt8(truncatingIfNeeded: Int(v))).builtinName.map { "\($0)" } ?? "a learned class"
        return said("loud_impulse", nil, nil, "withheld: the same sound was reported as \(claimant) (one sound, one event)")
    }
}

func listenStateName(_ s: EntryExplanation.State) -> String {
    switch s {
    case .idle: "idle"
    case .pending: "pending"
    case .active: "active"
    case .rejected: "rejected"
    case .tracking: "tracking"
    case .cooldown: "cooldown"
    case .inactive: "inactive"
    }
}

/// Runs `earshot listen`; `out` receives each line. Returns the exit status
/// (`MeterExit` codes) and the events reported (class names, in order).
public func runListen(_ options: ListenOptions, stop: () -> Bool = { false },
                      out: (String) -> Void) -> (exitCode: Int32, events: [String]) {
    let table: SignatureTable
    if let path = options.tablePath {
        do { table = try SignatureFile.load(path: path) } catch {
            out("earshot listen: \(error)")
            return (MeterExit.config, [])
        }
    } else {
        table = DefaultSignatures.table
    }
    let live: LiveFrames
    do { live = try LiveFrames(options.source) } catch {
        out(options.json ? diagnosticErrorJSON(error.message) : "earshot listen: \(error.message)")
        return (error.kind == .config ? MeterExit.config : MeterExit.audio, [])
    }
    defer { live.stop() }
    let offset = live.board.microphone.effectiveOffsetDB
    var engine = DetectionEngine(table: table, config: live.config,
                                 splOffset: offset.map { Int16(max(-32_768, min(32_767, ($0 * 256).rounded()))) })
    let names = (0..<table.count).map { table.className(of: table[$0].soundClass) }
    if !options.json {
        out("earshot listen: \(live.inputDescription); table \(options.tablePath ?? "built-in") (\(table.count) classes); "
            + "top \(options.top) classes every \(options.hopsPerUpdate * 10) ms, best hop of each update")
        out("  score = spectral × SNR factor (halved when a gate fails); spec = 1 − band error/12 dB; SNR dB/min; tone dB/min")
    }
    let maxHops = options.source.durationSeconds.map { Int(($0 * Double(live.rate) / Double(live.hop)).rounded()) }
    var best = [EntryExplanation?](repeating: nil, count: table.count)
    var bestScore = [Double](repeating: -1, count: table.count)
    var windowEvents: [(String, Event)] = []
    var allEvents: [String] = []
    var hops = 0
    var winA = 0.0
    let hopSeconds = Double(live.hop) / Double(live.rate)
    func flush(_ t: Double) {
        var views: [ListenClassView] = []
        for i in 0..<table.count {
            guard let x = best[i] else { continue }
            views.append(ListenClassView(className: names[i], score: bestScore[i], explanation: x, why: listenWhy(x, hopSeconds: hopSeconds)))
        }
        views.sort { $0.score > $1.score }
        let shown = Array(views.prefix(options.top))
        let la = LiveMath.level(winA / Double(options.hopsPerUpdate))
        if options.json {
            out(listenJSONLine(timeSeconds: t, laDBFS: la, events: windowEvents, classes: shown, rate: live.rate, hopSeconds: hopSeconds))
        } else {
            out("\(lpadMeter(FixedDecimal.string(t, 1), 7)) s  LA \(FixedDecimal.string(la, 1)) dBFS")
            for (name, e) in windowEvents where e.phase != .end {
                out("          EVENT \(name) (\(e.phase == .start ? "start" : "impulse")) conf \(FixedDecimal.string(Double(Int(e.confidence)) / 65_535, 2)) peak \(FixedDecimal.string(Double(Int(e.peakLevel)) / 256, 1)) dBFS")
            }
            for v in shown {
                let x = v.explanation
                let tone = x.tonality == Signature.off ? "   -" : lpadMeter(FixedDecimal.string(Double(Int(x.tonality)) / 256, 0), 4)
                out("    \(String((v.className + String(repeating: " ", count: 14)).prefix(14))) \(FixedDecimal.string(v.score, 2))  spec \(FixedDecimal.string(Double(Int(x.spectral)) / 32_767, 2))"
                    + "  SNR \(lpadMeter(FixedDecimal.string(Double(Int(x.snr)) / 256, 0), 3))/\(FixedDecimal.string(Double(Int(x.minSNR)) / 256, 0))  tone \(tone)"
                    + "  \(String((listenStateName(x.state) + String(repeating: " ", count: 8)).prefix(8)))  \(v.why)")
            }
        }
        best = [EntryExplanation?](repeating: nil, count: table.count)
        bestScore = [Double](repeating: -1, count: table.count)
        windowEvents.removeAll(keepingCapacity: true)
        winA = 0
    }
    do {
        _ = try live.run(maxHops: maxHops) { frame, _ in
            engine.process(frame) { e in
                windowEvents.append((table.className(of: e), e))
                if e.phase != .end { allEvents.append(table.className(of: e)) }
            }
            for i in 0..<table.count {
                let x = engine.explain(frame, entry: i)
                let s = listenScore(x)
                if s > bestScore[i] { bestScore[i] = s; best[i] = x }
            }
            winA += LiveMath.power(LiveMath.db(frame.levelA))
            hops += 1
            if hops % options.hopsPerUpdate == 0 {
                flush(Double(hops * live.hop) / Double(live.rate))
                return !stop()
            }
            return true
        }
    } catch {
        out(options.json ? diagnosticErrorJSON(error.message) : "earshot listen: \(error.message)")
        return (MeterExit.audio, allEvents)
    }
    engine.finish(atSample: Int64(hops * live.hop)) { e in
        windowEvents.append((table.className(of: e), e))
        if e.phase != .end { allEvents.append(table.className(of: e)) }
    }
    if hops % options.hopsPerUpdate != 0 || !windowEvents.isEmpty { flush(Double(hops * live.hop) / Double(live.rate)) }
    if !options.json {
        out("\(allEvents.count) event(s) over \(FixedDecimal.string(Double(hops * live.hop) / Double(live.rate), 1)) s: \(allEvents.joined(separator: ", "))")
    }
    return (MeterExit.ok, allEvents)
}
