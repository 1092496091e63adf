// Overlapping sounds of one class that the event-by-event placement left mixed: the
// events of the tangle are pooled and split again by consensus (RANSAC without chance).

extension FusionEngine {
    /// Open incidents of one class whose emissions lie within this of the next one form a tangle, ns.
    static let tangleGapNs: Int64 = 1_500_000_000
    /// Pools larger than this are left as they are (the search is cubic in the pool), events.
    static let maxTangleEvents = 48
    /// Grid cells per side for a triple's fix (a hypothesis refined afterwards; an incident's fix uses `Localiser.defaultGridCells`).
    static let hypothesisGridCells = 24

    /// An incident the fit explains: TDOA from ≥ 4 timed boxes, no onset beyond the gate.
    func isExplained(_ inc: Incident) -> Bool {
        inc.location.method == .tdoa && inc.location.timedBoxes >= 4 && worstOutlier(inc) == nil
    }

    /// Splits again every tangle (≥ 2 open incidents of one class close in time, one box in two
    /// of them, ≥ 4 onsets in incidents their fit does not explain) when consensus explains
    /// more of its events: every
    /// triple of timed onsets from distinct boxes that can share a source gives a fix; the
    /// fix that predicts (one per box) the most events, refitted on them and explaining them
    /// all, becomes an incident; its events leave the pool and the search repeats. Events no
    /// fix explains stay where they were. Deterministic: pools and triples in id order.
    mutating func untangle(nowNs: Int64) {
        for soundClass in Set(openIncidents.map(\.soundClass)).sorted() {
            let ofClass = openIncidents.filter { $0.soundClass == soundClass }
                .sorted { ($0.location.emissionNs, $0.id) < ($1.location.emissionNs, $1.id) }
            var tangle: [Incident] = []
            for inc in ofClass {
                if let last = tangle.last, inc.location.emissionNs &- last.location.emissionNs > Self.tangleGapNs {
                    resolve(tangle, nowNs: nowNs)
                    tangle = []
                }
                tangle.append(inc)
            }
            resolve(tangle, nowNs: nowNs)
        }
    }

    private mutating func resolve(_ tangle: [Incident], nowNs: Int64) {
        guard tangle.count >= 2 else { return }
        // Overlap needs a box that heard two of the sounds; otherwise the placement's gates
        // already keep sounds apart. (Checked first: it is cheap, `isExplained` may refit.)
        var boxes = Set<String>()
        guard tangle.flatMap(\.boxIDs).contains(where: { !boxes.insert($0).inserted }) else { return }
        let pool = tangle.flatMap(\.events).sorted { $0.id < $1.id }
        guard pool.count >= 8, pool.count <= Self.maxTangleEvents else { return }
        let explained = tangle.filter(isExplained)
        guard explained.count < tangle.count else { return }
        let explainedBefore = explained.reduce(0) { $0 + $1.events.count }
        // Another explained sound needs ≥ 4 onsets no fit explains yet: while a sound's events
        // are still arriving its incident has fewer, and the search is not worth its cost.
        guard pool.count - explainedBefore >= 4 else { return }
        var hasher = Hasher()
        for e in pool { hasher.combine(e.id) }
        let poolKey = hasher.finalize()
        guard !pointlessPools.contains(poolKey) else { return }
        let sets = consensusSets(pool)
        guard sets.reduce(0, { $0 + $1.count }) > explainedBefore else {
            if pointlessPools.count >= 4096 { pointlessPools.removeAll() }
            pointlessPools.insert(poolKey)
            return
        }
        apply(sets, to: tangle, nowNs: nowNs)
    }

    /// Disjoint sets of the pool, each one source's events by a fit that explains them all.
    private func consensusSets(_ pool: [FusionEvent]) -> [[FusionEvent]] {
        var remaining = pool
        var sets: [[FusionEvent]] = []
        while remaining.count >= 4 {
            guard let best = bestConsensus(remaining) else { break }
            sets.append(best)
            let taken = Set(best.map(\.id))
            remaining.removeAll { taken.contains($0.id) }
        }
        return sets
    }

    /// The consensus of the earliest pool onset that has one: fixes from every triple of timed
    /// onsets that includes it (the earliest onset belongs to some sound, so n² fits find its
    /// set, not n³), the one predicting most events (ties: smaller rms, then ids).
    private func bestConsensus(_ pool: [FusionEvent]) -> [FusionEvent]? {
        let timed = pool.filter { settings.timingSigmaS($0.clock) <= settings.timingUsableS && registry.box($0.box) != nil }
            .sorted { ($0.onsetNs, $0.id) < ($1.onsetNs, $1.id) }
        guard timed.count >= 4 else { return nil }
        for anchor in timed.indices.prefix(timed.count - 3) {
            if let set = consensus(anchoredAt: anchor, timed, pool: pool) { return set }
        }
        return nil
    }

    private func consensus(anchoredAt a: Int, _ timed: [FusionEvent], pool: [FusionEvent]) -> [FusionEvent]? {
        var best: (events: [FusionEvent], rms: Double, key: String)?
        var tried = Set<String>()
        let first = timed[a]
        for j in (a + 1)..<timed.count where timed[j].box != first.box && canShare(first, timed[j]) {
            for k in (j + 1)..<timed.count where timed[k].box != first.box && timed[k].box != timed[j].box
                && canShare(first, timed[k]) && canShare(timed[j], timed[k]) {
                let fix = locate([first, timed[j], timed[k]], gridCells: Self.hypothesisGridCells)
                guard fix.method == .tdoa else { continue }
                var members = [first, timed[j], timed[k]]
                members += predictedOthers(pool, by: fix, excludingBoxes: Set(members.map(\.box)))
                guard members.count >= 4 else { continue }
                let key = members.map(\.id).sorted().joined(separator: ",")
                guard tried.insert(key).inserted else { continue }
                guard let (kept, rms) = explainedSubset(members, near: fix.position), kept.contains(where: { $0.id == first.id }) else { continue }
                let keptKey = kept.map(\.id).sorted().joined(separator: ",")
                if best == nil || (kept.count, -rms) > (best!.events.count, -best!.rms)
                    || ((kept.count, -rms) == (best!.events.count, -best!.rms) && keptKey < best!.key) {
                    best = (kept, rms, keptKey)
                }
            }
        }
        return best?.events
    }

    /// For each box not yet in the set, its pool event the fix predicts best (within the gate).
    private func predictedOthers(_ pool: [FusionEvent], by fix: Localisation, excludingBoxes: Set<String>) -> [FusionEvent] {
        var byBox: [String: (FusionEvent, Double)] = [:]
        for e in pool where !excludingBoxes.contains(e.box) {
            guard let box = registry.box(e.box), let miss = predictionMiss(e, box: box, by: fix) else { continue }
            if let held = byBox[e.box], (held.1, held.0.id) <= (miss, e.id) { continue }
            byBox[e.box] = (e, miss)
        }
        return byBox.keys.sorted().map { byBox[$0]!.0 }
    }

    /// `members` refitted from the hypothesis `fix`, dropping the worst-explained onset while the fit has one beyond
    /// the gate; nil when fewer than 4 timed boxes remain. Returns them with the fit's rms.
    private func explainedSubset(_ members: [FusionEvent], near fix: PlanePoint) -> ([FusionEvent], Double)? {
        var kept = members
        while kept.count >= 4 {
            let loc = locate(kept, start: fix)
            guard loc.method == .tdoa, loc.timedBoxes >= 4 else { return nil }
            var trial = Incident(id: "", site: registry.site, first: kept[0], location: loc, receivedNs: 0)
            trial.replaceEvents(kept)
            guard let out = worstOutlier(trial) else { return (kept, loc.rmsNormalisedResidual) }
            kept.removeAll { $0.id == out.id }
        }
        return nil
    }

    /// Two onsets can come from one source (`pairGate`, as `score` checks a newcomer).
    private func canShare(_ a: FusionEvent, _ b: FusionEvent) -> Bool {
        guard let ba = registry.box(a.box), let bb = registry.box(b.box) else { return false }
        return pairGate(a, at: ba, b, at: bb) != nil
    }

    /// Re-partitions `tangle`: each set goes to the incident holding most of its events (a
    /// new one when all are taken); events in no set stay in their incident, or open one when
    /// that incident now holds a set; an incident left empty closes, merged into the one that
    /// took most of its events.
    private mutating func apply(_ sets: [[FusionEvent]], to tangle: [Incident], nowNs: Int64) {
        let inSet = Set(sets.flatMap { $0.map(\.id) })
        var hosts: [String: [FusionEvent]] = [:]    // incident id → its new events
        for set in sets {
            let ids = Set(set.map(\.id))
            let host = tangle.filter { hosts[$0.id] == nil }
                .map { inc in (inc, inc.events.filter { ids.contains($0.id) }.count) }
                .filter { $0.1 > 0 }
                .max { ($0.1, $1.0.id) < ($1.1, $0.0.id) }?.0
            if let host {
                hosts[host.id] = set
            } else {
                open(set, nowNs: nowNs)
            }
        }
        for inc in tangle {
            let leftovers = inc.events.filter { !inSet.contains($0.id) }
            if let set = hosts[inc.id] {
                update(inc.id, events: set, nowNs: nowNs)
                for e in leftovers { open([e], nowNs: nowNs) }
            } else if !leftovers.isEmpty {
                if leftovers.count != inc.events.count { update(inc.id, events: leftovers, nowNs: nowNs) }
            } else {
                let taker = hosts.keys.max { a, b in
                    let na = inc.events.filter { e in hosts[a]!.contains { $0.id == e.id } }.count
                    let nb = inc.events.filter { e in hosts[b]!.contains { $0.id == e.id } }.count
                    return (na, b) < (nb, a)
                }
                close(inc.id, mergedInto: taker, nowNs: nowNs)
            }
        }
    }

    private mutating func update(_ id: String, events: [FusionEvent], nowNs: Int64) {
        guard let i = openIncidents.firstIndex(where: { $0.id == id }) else { return }
        var inc = openIncidents[i]
        guard inc.eventIDs != events.map(\.id).sorted() else { return }
        inc.replaceEvents(events)
        inc.location = locate(inc.events)
        inc.revision += 1
        inc.updatedNs = max(inc.updatedNs, nowNs)
        openIncidents[i] = inc
        changed.insert(id)
    }

    private mutating func open(_ events: [FusionEvent], nowNs: Int64) {
        let first = events.min { ($0.onsetNs, $0.id) < ($1.onsetNs, $1.id) }!
        var inc = Incident(id: newIncidentID(opener: first), site: registry.site, first: first,
                           location: locate(events), receivedNs: nowNs)
        inc.replaceEvents(events)
        openIncidents.append(inc)
        incidentsOpened += 1
        changed.insert(inc.id)
    }

    private mutating func close(_ id: String, mergedInto taker: String?, nowNs: Int64) {
        guard let i = openIncidents.firstIndex(where: { $0.id == id }) else { return }
        var gone = openIncidents.remove(at: i)
        gone.state = .closed
        gone.closedNs = nowNs
        gone.mergedInto = taker
        closedIncidents.append(gone)
        mergedAway.append(gone)
        changed.remove(id)
    }
}
