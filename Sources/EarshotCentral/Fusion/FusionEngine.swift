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
    public private(set) var openIncidents: [Incident] = []
    /// Closed incidents still remembered (late events are absorbed by them), oldest first.
    public private(set) var closedIncidents: [Incident] = []
    private var seen = Set<String>()
    private var seenOrder: [String] = []
    private var seenHead = 0

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

        if let (index, closed) = bestCandidate(for: e, box: box) {
            if closed { return .absorbed(eventID: e.id, incidentID: closedIncidents[index].id) }
            var inc = openIncidents[index]
            inc.add(e)
            inc.location = locate(inc.events)
            inc.revision += 1
            inc.updatedNs = max(inc.updatedNs, receivedNs)
            openIncidents[index] = inc
            return .updated(inc)
        }
        let inc = Incident(id: IncidentID.make(site: registry.site, first: e), site: registry.site, first: e,
                           location: locate([e]), receivedNs: receivedNs)
        openIncidents.append(inc)
        return .opened(inc)
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

    private func locate(_ events: [FusionEvent]) -> Localisation {
        localiser.locate(events.compactMap { e in registry.box(e.box).map { (box: $0, event: e) } })
    }

    /// Whether `e` (heard by `box`) can come from the same source as every event of `inc`;
    /// returns a score (smaller = closer) or nil.
    private func score(_ e: FusionEvent, box: RegisteredBox, against inc: Incident) -> Double? {
        guard inc.soundClass == e.soundClass, inc.event(of: e.box) == nil else { return nil }
        let c = settings.speedOfSoundMPerS
        let sigmaE = settings.timingSigmaS(e.clock)
        var worst = 0.0
        for other in inc.events {
            guard let ob = registry.box(other.box) else { return nil }
            let baseline = box.position.distance(to: ob.position)
            if baseline > box.hearingRangeM + ob.hearingRangeM { return nil }
            let sigmaO = settings.timingSigmaS(other.clock)
            let allowed = baseline / c + settings.gateSigmas * (sigmaE * sigmaE + sigmaO * sigmaO).squareRoot() + settings.gateSlackS
            let dt = abs(Double(e.onsetNs &- other.onsetNs)) * 1e-9
            if dt > allowed { return nil }
            worst = max(worst, dt / allowed)
        }
        let loc = inc.location
        if loc.method == .tdoa {
            // The fix predicts when this box should have heard the source.
            let d = box.position.distance(to: loc.position)
            let posSigmaS = loc.ellipse.semiMajorM / UncertaintyEllipse.chi2Scale95 / c
            let allowed = settings.gateSigmas * (sigmaE * sigmaE + posSigmaS * posSigmaS).squareRoot() + settings.gateSlackS
            let miss = abs(Double(e.onsetNs &- loc.emissionNs) * 1e-9 - d / c)
            if miss > allowed { return nil }
            return miss / allowed
        }
        return worst
    }

    /// The best incident for `e`: index and whether it is among the closed ones.
    private func bestCandidate(for e: FusionEvent, box: RegisteredBox) -> (Int, Bool)? {
        var best: (Int, Bool, Double, String)?
        let windowNs: Int64 = 60_000_000_000
        for (list, closed) in [(openIncidents, false), (closedIncidents, true)] {
            for (i, inc) in list.enumerated() where abs(inc.location.emissionNs &- e.onsetNs) < windowNs {
                guard let s = score(e, box: box, against: inc) else { continue }
                if best == nil || (s, inc.id) < (best!.2, best!.3) { best = (i, closed, s, inc.id) }
            }
        }
        return best.map { ($0.0, $0.1) }
    }
}
