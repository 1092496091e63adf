// Groups events of many boxes into incidents: one sound, one incident.
import Glibc

/// Fuses box events into incidents. Two events of one class belong to one source when
/// their onsets differ by no more than the boxes' distance / c plus `gateSigmas` of their
/// combined timing uncertainty (and the boxes can both hear the same point); once an
/// incident has a TDOA fix, a newcomer must also match the onset that fix predicts for its box.
/// Deterministic: times come from the caller (`receivedNs`, `nowNs`), never from a clock.
public struct FusionEngine: Sendable {
    /// The trusted boxes.
    public let registry: SiteRegistry
    /// Tunables (its speed of sound is the registry's).
    public let settings: FusionSettings
    private let localiser: Localiser
    /// Open incidents, oldest first.
    public internal(set) var openIncidents: [Incident] = []
    /// Closed incidents still remembered (late events are absorbed by them), oldest first.
    public internal(set) var closedIncidents: [Incident] = []
    private var seen = Set<String>()
    private var seenOrder: [String] = []
    private var seenHead = 0
    /// Tangle pools (hash of their event ids) that splitting again did not improve: not
    /// searched again until an event joins or leaves (`untangle`); cleared past 4096.
    var pointlessPools = Set<Int>()

    /// Builds an engine for the boxes of `registry`.
    public init(registry: SiteRegistry, settings: FusionSettings = FusionSettings()) {
        self.registry = registry
        var s = settings
        s.speedOfSoundMPerS = registry.speedOfSoundMPerS
        self.settings = s
        localiser = Localiser(settings: s)
    }

    /// Checks, de-duplicates and fuses one event received at `receivedNs` (ns since 1970, UTC).
    public mutating func ingest(_ e: FusionEvent, receivedNs: Int64) -> FusionOutcome {
        guard let box = registry.box(e.box) else {
            return .rejected(EventIssue(box: e.box, field: "sensor",
                                        message: "unknown box id \"\(e.box)\": not in the site registry, not trusted"))
        }
        if seen.contains(e.id) { return .duplicate(eventID: e.id) }
        if let issue = onsetIssue(e, receivedNs: receivedNs) { return .rejected(issue) }
        remember(e.id)
        if e.phase == .end { return .notFused(eventID: e.id, reason: "phase end (the sound's start was fused)") }

        return place(e, box: box, receivedNs: receivedNs)
    }

    /// Ids of incidents opened or changed since the last call (evictions can change several
    /// per event), oldest first; the caller publishes them.
    public mutating func takeChangedIncidents() -> [Incident] {
        defer { changed = [] }
        return openIncidents.filter { changed.contains($0.id) }
    }

    /// Incidents opened since start (including by re-placed outliers).
    public internal(set) var incidentsOpened = 0
    var changed = Set<String>()

    /// Puts `e` into the best incident (or a new one); a fit that no longer explains one of
    /// its onsets evicts the worst and places it again (never back into the incident it left).
    private mutating func place(_ first: FusionEvent, box firstBox: RegisteredBox, receivedNs: Int64) -> FusionOutcome {
        var work: [(FusionEvent, String?)] = [(first, nil)]
        var outcome: FusionOutcome?
        var steps = 0
        while !work.isEmpty && steps < 64 {
            steps += 1
            let (e, excluded) = work.removeFirst()
            guard let box = e.id == first.id ? firstBox : registry.box(e.box) else { continue }
            var result: FusionOutcome
            if let (index, closed) = bestCandidate(for: e, box: box, excluding: excluded) {
                if closed {
                    result = .absorbed(eventID: e.id, incidentID: closedIncidents[index].id)
                } else {
                    var inc = openIncidents[index]
                    inc.add(e)
                    inc.location = locate(inc.events)
                    while let out = worstOutlier(inc) {
                        inc.remove(out.id)
                        inc.location = locate(inc.events)
                        work.append((out, inc.id))
                    }
                    inc.revision += 1
                    inc.updatedNs = max(inc.updatedNs, receivedNs)
                    openIncidents[index] = inc
                    changed.insert(inc.id)
                    mergeFragments(into: inc.id, nowNs: receivedNs)
                    result = .updated(openIncidents.first { $0.id == inc.id } ?? inc)
                }
            } else {
                let inc = Incident(id: newIncidentID(opener: e), site: registry.site, first: e,
                                   location: locate([e]), receivedNs: receivedNs)
                openIncidents.append(inc)
                incidentsOpened += 1
                changed.insert(inc.id)
                mergeFragments(into: inc.id, nowNs: receivedNs)
                result = .opened(openIncidents.first { $0.id == inc.id } ?? inc)
            }
            if outcome == nil { outcome = result }
        }
        regroup(nowNs: receivedNs)
        untangle(nowNs: receivedNs)
        return outcome!
    }

    /// The id of an incident `e` opens: `IncidentID.make`, of the next generation while that id
    /// is held by an open or remembered incident. An evicted or re-placed event that opened
    /// the incident it left would otherwise open a second incident under the same id: the
    /// centre published both on one topic (the later message replacing the earlier one's
    /// events for every consumer) and treated them as one when merging.
    func newIncidentID(opener e: FusionEvent) -> String {
        var generation = 0
        while true {
            let id = IncidentID.make(site: registry.site, first: e, generation: generation)
            if !openIncidents.contains(where: { $0.id == id }) && !closedIncidents.contains(where: { $0.id == id }) { return id }
            generation += 1
        }
    }

    /// Overlapping sounds of one class: an incident whose fit is over-determined (≥ 4 timed
    /// boxes) and explains all its onsets is a trustworthy hypothesis; it takes from the other
    /// open incidents of its class every event its fix predicts (as `score` would admit it)
    /// when the fit still explains everything with it. The incidents robbed are located again
    /// (an emptied one closes, merged into the taker) and fragments one fit explains merge.
    private mutating func regroup(nowNs: Int64) {
        let windowNs: Int64 = 3_000_000_000
        var moved = true
        var rounds = 0
        while moved && rounds < 8 {
            moved = false
            rounds += 1
            let order = openIncidents.sorted { ($0.events.count, $1.id) > ($1.events.count, $0.id) }.map(\.id)
            for takerID in order {
                guard var taker = openIncidents.first(where: { $0.id == takerID }),
                      taker.location.method == .tdoa, taker.location.timedBoxes >= 4, worstOutlier(taker) == nil else { continue }
                for donor in openIncidents where donor.id != taker.id && donor.soundClass == taker.soundClass
                    && abs(donor.location.emissionNs &- taker.location.emissionNs) < windowNs {
                    var d = donor
                    for e in donor.events where taker.event(of: e.box) == nil {
                        guard let box = registry.box(e.box), predicted(e, box: box, by: taker.location) else { continue }
                        var trial = taker
                        trial.add(e)
                        trial.location = locate(trial.events)
                        guard worstOutlier(trial) == nil, trial.location.method == .tdoa else { continue }
                        taker = trial
                        d.remove(e.id)
                        moved = true
                    }
                    guard d.events.count != donor.events.count else { continue }
                    taker.revision += 1
                    taker.updatedNs = max(taker.updatedNs, donor.updatedNs)
                    changed.insert(taker.id)
                    if d.events.isEmpty {
                        d.state = .closed
                        d.closedNs = nowNs
                        d.mergedInto = taker.id
                        openIncidents.removeAll { $0.id == d.id }
                        closedIncidents.append(d)
                        mergedAway.append(d)
                        changed.remove(d.id)
                    } else {
                        d.location = locate(d.events)
                        d.revision += 1
                        if let i = openIncidents.firstIndex(where: { $0.id == d.id }) { openIncidents[i] = d }
                        changed.insert(d.id)
                    }
                }
                if let i = openIncidents.firstIndex(where: { $0.id == taker.id }) { openIncidents[i] = taker }
            }
            if moved { for id in openIncidents.map(\.id) { mergeFragments(into: id, nowNs: nowNs) } }
        }
    }

    /// Whether the fix `loc` predicts `e`'s onset at `box` within the gate (as `score` checks).
    func predicted(_ e: FusionEvent, box: RegisteredBox, by loc: Localisation) -> Bool {
        predictionMiss(e, box: box, by: loc) != nil
    }

    /// How far `e`'s onset at `box` lies from the one the fix `loc` predicts, s, when it is
    /// within the gate and `box` can hear the fix; nil otherwise (or when `e` has no usable timing).
    func predictionMiss(_ e: FusionEvent, box: RegisteredBox, by loc: Localisation) -> Double? {
        guard settings.timingSigmaS(e.clock) <= settings.timingUsableS else { return nil }
        let p = prediction(e, box: box, by: loc)
        return p.miss <= p.allowed && p.distanceM <= box.hearingRangeM ? p.miss : nil
    }

    /// `e`'s onset at `box` against the one the fix `loc` predicts: the miss, s; the gate
    /// (`gateSigmas` of the onset's and the fix's combined timing σ, plus the slack), s; and
    /// the box's distance from the fix, m.
    private func prediction(_ e: FusionEvent, box: RegisteredBox, by loc: Localisation) -> (miss: Double, allowed: Double, distanceM: Double) {
        let c = settings.speedOfSoundMPerS
        let sigmaE = settings.timingSigmaS(e.clock)
        let posSigmaS = loc.ellipse.semiMajorM / UncertaintyEllipse.chi2Scale95 / c
        let allowed = settings.gateSigmas * (sigmaE * sigmaE + posSigmaS * posSigmaS).squareRoot() + settings.gateSlackS
        let d = box.position.distance(to: loc.position)
        return (abs(Double(e.onsetNs &- loc.emissionNs) * 1e-9 - d / c), allowed, d)
    }

    /// Joins open incidents of the same class that one TDOA fit explains together (fragments of
    /// one sound split while few boxes had reported, or by evictions): the fragment is closed
    /// with `mergedInto` and its events move to `id`.
    private mutating func mergeFragments(into id: String, nowNs: Int64) {
        guard var target = openIncidents.first(where: { $0.id == id }) else { return }
        let windowNs: Int64 = 3_000_000_000
        var merged = true
        while merged {
            merged = false
            for other in openIncidents where other.id != target.id && other.soundClass == target.soundClass
                && abs(other.location.emissionNs &- target.location.emissionNs) < windowNs
                && Set(other.boxIDs).isDisjoint(with: target.boxIDs) && couldBeOneSource(target, other) {
                let union = target.events + other.events
                let loc = locate(union)
                guard loc.method == .tdoa, loc.timedBoxes >= 4 else { continue }
                // The same test as for an incident's own events (an evicted onset must not merge back).
                var trial = target
                for e in other.events { trial.add(e) }
                trial.location = loc
                guard worstOutlier(trial) == nil else { continue }
                target = trial
                target.revision += 1
                target.updatedNs = max(target.updatedNs, other.updatedNs)
                var gone = other
                gone.state = .closed
                gone.closedNs = nowNs
                gone.mergedInto = target.id
                openIncidents.removeAll { $0.id == other.id }
                closedIncidents.append(gone)
                mergedAway.append(gone)
                changed.remove(other.id)
                merged = true
                break
            }
        }
        if let i = openIncidents.firstIndex(where: { $0.id == target.id }) { openIncidents[i] = target }
    }

    /// A necessary condition for one TDOA fit to explain both incidents' onsets within the
    /// gate, checked pair by pair before that fit is tried (a grid search: most of the centre's
    /// CPU when several incidents are open): every two boxes can hear one point (as `score`
    /// requires), and their onsets differ by no more than their distance / c plus both gates
    /// (|rₑ| ≤ Aₑ and |r_f| ≤ A_f imply |τₑ − τ_f| ≤ baseline / c + Aₑ + A_f).
    private func couldBeOneSource(_ a: Incident, _ b: Incident) -> Bool {
        let c = settings.speedOfSoundMPerS
        for e in a.events {
            guard let be = registry.box(e.box) else { continue }
            let sigmaE = settings.timingSigmaS(e.clock)
            for f in b.events {
                guard let bf = registry.box(f.box) else { continue }
                let baseline = be.position.distance(to: bf.position)
                if baseline > be.hearingRangeM + bf.hearingRangeM { return false }
                let sigmaF = settings.timingSigmaS(f.clock)
                guard sigmaE <= settings.timingUsableS, sigmaF <= settings.timingUsableS else { continue }
                let allowed = baseline / c + settings.gateSigmas * (sigmaE + sigmaF) + 2 * settings.gateSlackS
                if abs(Double(e.onsetNs &- f.onsetNs)) * 1e-9 > allowed { return false }
            }
        }
        return true
    }

    /// Incidents closed by merging since the last call (the caller publishes their closing).
    public mutating func takeMergedIncidents() -> [Incident] {
        defer { mergedAway = [] }
        return mergedAway
    }
    var mergedAway: [Incident] = []

    /// The event whose onset the incident's TDOA fit explains worst, when that is beyond the
    /// gate (`gateSigmas` σ + slack) and the fit is over-determined (≥ 4 timed boxes); or,
    /// with ≥ 5 timed boxes, the worst-explained one (past half the gate) when the fit of the
    /// others does not predict it: least squares spreads one foreign onset over all the
    /// residuals, so a sound's event mixed into another's incident can stay inside the gate
    /// while biasing its fix enough that the rest of that sound's events no longer match.
    func worstOutlier(_ inc: Incident) -> FusionEvent? {
        let loc = inc.location
        guard loc.method == .tdoa, loc.timedBoxes >= 4 else { return nil }
        var worst: (FusionEvent, Double)?
        for e in inc.events {
            guard let r = loc.residualsMs[e.box] else { continue }
            let allowed = settings.gateSigmas * settings.timingSigmaS(e.clock) + settings.gateSlackS
            let ratio = abs(r) / 1000 / allowed
            if ratio > (worst?.1 ?? 0) { worst = (e, ratio) }
        }
        guard let (e, ratio) = worst else { return nil }
        if ratio > 1 { return e }
        guard ratio > 0.5, loc.timedBoxes >= 5, let box = registry.box(e.box) else { return nil }
        let others = locate(inc.events.filter { $0.id != e.id })
        guard others.method == .tdoa, others.timedBoxes >= 4 else { return nil }
        return predicted(e, box: box, by: others) ? nil : e
    }

    /// Closes incidents without a new event for `closeAfterS` and forgets closed ones older
    /// than `rememberClosedS`. Returns the incidents closed now (state `.closed`).
    public mutating func closeQuiet(nowNs: Int64) -> [Incident] {
        let quietNs = Int64(settings.closeAfterS * 1e9)
        var closedNow: [Incident] = []
        openIncidents.removeAll { inc in
            guard nowNs &- inc.updatedNs >= quietNs else { return false }
            var c = inc
            c.state = .closed
            c.closedNs = nowNs
            closedNow.append(c)
            return true
        }
        closedIncidents += closedNow
        let keepNs = Int64(settings.rememberClosedS * 1e9)
        closedIncidents.removeAll { nowNs &- ($0.closedNs ?? nowNs) > keepNs }
        return closedNow
    }

    // MARK: checks

    private func onsetIssue(_ e: FusionEvent, receivedNs: Int64) -> EventIssue? {
        if e.onsetNs < settings.earliestOnsetNs {
            return EventIssue(box: e.box, field: "onset",
                              message: "onset_ns \(e.onsetNs) is before 2020-01-01: the box's clock was never set")
        }
        let sigmaNs = Int64(min(settings.timingSigmaS(e.clock), 3600) * 1e9)
        let futureNs = e.onsetNs &- receivedNs
        if futureNs > Int64(settings.maxFutureS * 1e9) &+ 3 * sigmaNs {
            return EventIssue(box: e.box, field: "onset",
                              message: "onset is \(Double(futureNs) / 1e9) s after it was received: impossible (clock error \(e.clock.errorUs.map { "\($0) µs" } ?? "unknown"))")
        }
        return nil
    }

    private mutating func remember(_ id: String) {
        seen.insert(id)
        if seenOrder.count < settings.seenEventCapacity {
            seenOrder.append(id)
        } else {
            seen.remove(seenOrder[seenHead])
            seenOrder[seenHead] = id
            seenHead = (seenHead + 1) % seenOrder.count
        }
    }

    // MARK: grouping

    func locate(_ events: [FusionEvent], start: PlanePoint? = nil,
                gridCells: Int = Localiser.defaultGridCells) -> Localisation {
        localiser.locate(events.compactMap { e in registry.box(e.box).map { (box: $0, event: e) } },
                         start: start, gridCells: gridCells)
    }

    /// Whether `e` (heard by `box`) can come from the same source as every event of `inc`;
    /// returns a score (smaller = closer) or nil.
    private func score(_ e: FusionEvent, box: RegisteredBox, against inc: Incident) -> Double? {
        guard inc.soundClass == e.soundClass, inc.event(of: e.box) == nil else { return nil }
        var worst = 0.0
        for other in inc.events {
            guard let ob = registry.box(other.box), let ratio = pairGate(e, at: box, other, at: ob) else { return nil }
            worst = max(worst, ratio)
        }
        let loc = inc.location
        if loc.method == .tdoa {
            // The fix predicts when this box should have heard the source.
            let p = prediction(e, box: box, by: loc)
            if p.miss > p.allowed { return nil }
            return p.miss / p.allowed
        }
        return worst
    }

    /// Whether onsets `a` (at box `ba`) and `b` (at `bb`) can come from one source: the boxes
    /// can hear one point and the onsets differ by no more than the baseline / c plus
    /// `gateSigmas` of their combined σ and the slack. Returns that difference ÷ the allowed one
    /// (0…1), or nil.
    func pairGate(_ a: FusionEvent, at ba: RegisteredBox, _ b: FusionEvent, at bb: RegisteredBox) -> Double? {
        let baseline = ba.position.distance(to: bb.position)
        if baseline > ba.hearingRangeM + bb.hearingRangeM { return nil }
        let sa = settings.timingSigmaS(a.clock), sb = settings.timingSigmaS(b.clock)
        let allowed = baseline / settings.speedOfSoundMPerS + settings.gateSigmas * (sa * sa + sb * sb).squareRoot() + settings.gateSlackS
        let dt = abs(Double(a.onsetNs &- b.onsetNs)) * 1e-9
        return dt <= allowed ? dt / allowed : nil
    }

    /// The best incident for `e`: index and whether it is among the closed ones.
    private func bestCandidate(for e: FusionEvent, box: RegisteredBox, excluding: String?) -> (Int, Bool)? {
        var best: (Int, Bool, Double, String)?
        let windowNs: Int64 = 60_000_000_000
        for (list, closed) in [(openIncidents, false), (closedIncidents, true)] {
            // A fragment merged away lives on in the incident it joined: it must not absorb the
            // sound's later events (its exact 3-box fit can out-score the open incident's).
            for (i, inc) in list.enumerated() where inc.id != excluding && inc.mergedInto == nil
                && abs(inc.location.emissionNs &- e.onsetNs) < windowNs {
                guard let s = score(e, box: box, against: inc) else { continue }
                if best == nil || (s, inc.id) < (best!.2, best!.3) { best = (i, closed, s, inc.id) }
            }
        }
        return best.map { ($0.0, $0.1) }
    }
}
