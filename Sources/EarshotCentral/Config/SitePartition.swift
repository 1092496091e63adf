// One central instance's share of a site, so several instances split one site's load
// (`[partition] index = k, count = n`) and still fuse every sound from all the boxes that heard it.
//
// Why strips and not a shared subscription: `$share/…` hands each event to one instance, so no
// instance sees all of one sound's boxes and none can locate it. Here the plan is cut into `count`
// strips of equal width along x (east) between the westmost and eastmost box. Instance `index`
// subscribes to the boxes within `margin` of its strip (default twice the largest hearing range
// R) and publishes the incidents opened by an event of a box in its strip. Why that is exact:
// - a sound whose first event comes from box B was heard only by boxes within R of it, so
//   within 2R of B: the instance owning B's strip has all of them and fuses the sound exactly
//   as a single instance does (the same events in the broker's order: same incident id,
//   position and boxes, for the incident's whole life, however later events move it);
// - another instance that also has B's event sees it first too (B's event is the first of the
//   sound's events) and leaves the incident to B's owner;
// - an instance without B's event gets only events of boxes within 2R of B, none of them in
//   its strip (B would then be within its margin), so whatever it fuses of the sound is left to
//   others as well.
// Incidents are therefore published once, by one instance, with the ids one instance gives.

/// Which strip of the site an instance owns (x in m, east of the site origin).
public struct SitePartition: Sendable, Equatable {
    /// This instance's strip, 0 (westmost) … count − 1.
    public var index: Int
    /// Number of instances (strips), ≥ 1.
    public var count: Int
    /// Listening margin beyond the strip, m; nil = twice the largest hearing range.
    public var marginM: Double?

    /// A partition; `index` in 0..<count.
    public init(index: Int, count: Int, marginM: Double? = nil) {
        self.index = index; self.count = count; self.marginM = marginM
    }

    /// The numbers for one registry (computed once, at start).
    public func plan(_ registry: SiteRegistry) -> PartitionPlan {
        let xs = registry.boxes.map(\.x)
        let lo = xs.min() ?? 0, hi = xs.max() ?? 0
        let width = (hi - lo) / Double(count)
        let west = index == 0 ? -Double.infinity : lo + width * Double(index)
        let east = index == count - 1 ? Double.infinity : lo + width * Double(index + 1)
        let margin = marginM ?? 2 * (registry.boxes.map(\.hearingRangeM).max() ?? 0)
        let heard = registry.boxes.filter { $0.x >= west - margin && $0.x < east + margin }.map(\.id)
        return PartitionPlan(index: index, count: count, westM: west, eastM: east, marginM: margin, boxIDs: heard)
    }
}

/// A partition applied to a registry: the strip (m) and the boxes listened to.
public struct PartitionPlan: Sendable, Equatable {
    /// Strip number and count.
    public let index: Int, count: Int
    /// The strip: x in [westM, eastM), m (−∞ for the first, +∞ for the last).
    public let westM: Double, eastM: Double
    /// Listening margin, m.
    public let marginM: Double
    /// Boxes within the margin of the strip, in registry order.
    public let boxIDs: [String]
    private let listened: Set<String>

    /// A plan (see `SitePartition.plan`).
    public init(index: Int, count: Int, westM: Double, eastM: Double, marginM: Double, boxIDs: [String]) {
        self.index = index; self.count = count; self.westM = westM; self.eastM = eastM
        self.marginM = marginM; self.boxIDs = boxIDs; listened = Set(boxIDs)
    }

    /// Whether `p` (an opening event's box) lies in this instance's strip.
    public func owns(_ p: PlanePoint) -> Bool { p.x >= westM && p.x < eastM }
    /// Whether this instance listens to box `id`.
    public func listens(to id: String) -> Bool { listened.contains(id) }

    /// One line for `--check` and the start-up log.
    public var summary: String {
        func m(_ v: Double) -> String { v.isFinite ? "\(Int(v.rounded())) m" : (v < 0 ? "-inf" : "+inf") }
        return "partition \(index) of \(count): publishes incidents opened by boxes at x in [\(m(westM)), \(m(eastM))), listens to \(boxIDs.count) boxes within \(Int(marginM.rounded())) m of it"
    }
}
