// Synthetic geometry with a known answer: boxes, a source, onsets from true distances.
@testable import EarshotCentral
import EarshotDSP
import Glibc


/// Boxes on a plane and a source; builds each box's event as the box would publish it.
struct FusionScene {
    static let site = "test"
    /// 2026-12-06T12:00:00Z, ns.
    static let t0: Int64 = 1_796_558_400_000_000_000
    var boxes: [RegisteredBox]
    var registry: SiteRegistry { SiteRegistry(site: Self.site, boxes: boxes) }

    /// `n` boxes on a circle of `radius` m around (cx, cy), orientations 0°.
    static func ring(_ n: Int, radius: Double, cx: Double = 0, cy: Double = 0, range: Double = 600) -> FusionScene {
        FusionScene(boxes: (0..<n).map { i in
            let a = 2 * Double.pi * Double(i) / Double(n) + 0.3
            return RegisteredBox(id: "box-\(i + 1)", x: cx + radius * cos(a), y: cy + radius * sin(a), hearingRangeM: range)
        })
    }

    /// The event box `b` publishes for a sound at `source` emitted at `t0 + emitOffsetNs`,
    /// its clock off by `clockErrorNs` (reported as `reportedErrorUs`), bearing exact when asked.
    func event(_ b: RegisteredBox, source: PlanePoint, seq: Int = 1, soundClass: String = "gunshot",
               emitOffsetNs: Int64 = 0, clockErrorNs: Int64 = 0, reportedErrorUs: Int64? = 100,
               synchronised: Bool = true, bearing: Bool = false, bearingErrorDeg: Double = 0) -> FusionEvent {
        let d = b.position.distance(to: source)
        let onset = Self.t0 + emitOffsetNs + Int64((d / 343 * 1e9).rounded()) + clockErrorNs
        var bearingDeg: Double?
        if bearing {
            let siteAngle = atan2(source.y - b.y, source.x - b.x) * 180 / Double.pi
            var rel = (siteAngle - b.orientationDeg + bearingErrorDeg).truncatingRemainder(dividingBy: 360)
            if rel < 0 { rel += 360 }
            bearingDeg = rel
        }
        return FusionEvent(id: "\(b.id)-00000000000000ab-\(seq)", box: b.id, soundClass: soundClass, onsetNs: onset,
                           clock: EventClock(synchronised: synchronised, errorUs: reportedErrorUs),
                           bearingDeg: bearingDeg, bearingConfidence: bearing ? 0.9 : nil)
    }

    /// Every box's event, in box order.
    func events(source: PlanePoint, bearing: Bool = false) -> [FusionEvent] {
        boxes.map { event($0, source: source, bearing: bearing) }
    }
}

/// Feeds events one by one (received 50 ms apart) and returns the engine and the outcomes.
func fuse(_ scene: FusionScene, _ events: [FusionEvent], settings: FusionSettings = FusionSettings()) -> (FusionEngine, [FusionOutcome]) {
    var engine = FusionEngine(registry: scene.registry, settings: settings)
    var outcomes: [FusionOutcome] = []
    for (i, e) in events.enumerated() {
        outcomes.append(engine.ingest(e, receivedNs: FusionScene.t0 + 1_000_000_000 + Int64(i) * 50_000_000))
    }
    return (engine, outcomes)
}
