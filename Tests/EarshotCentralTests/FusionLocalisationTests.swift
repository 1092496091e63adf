// Known-answer localisation: 3, 4, 6 boxes (TDOA), 2 boxes (bearings), 1 box (bearing + range).
@testable import EarshotCentral
import EarshotDSP
import Testing

@Suite("Central: fusion localisation")
struct FusionLocalisationTests {
    func only(_ outcomes: [FusionOutcome], _ engine: FusionEngine) -> Incident? {
        #expect(engine.openIncidents.count == 1, "\(engine.openIncidents.map(\.boxIDs))")
        return engine.openIncidents.first
    }

    @Test("4 boxes on a 150 m ring: one incident, TDOA, within 0.1 m of the source", arguments: [
        PlanePoint(x: 37, y: 61), PlanePoint(x: -120, y: 10), PlanePoint(x: 0, y: 0), PlanePoint(x: 250, y: -90),
    ])
    func fourBoxes(source: PlanePoint) throws {
        let scene = FusionScene.ring(4, radius: 150)
        let (engine, outcomes) = fuse(scene, scene.events(source: source))
        let inc = try #require(only(outcomes, engine))
        #expect(inc.boxIDs.count == 4)
        #expect(inc.location.method == .tdoa)
        let err = inc.location.position.distance(to: source)
        #expect(err < 0.1, "error \(err) m at \(inc.location.position)")
        #expect(inc.location.ellipse.semiMajorM < 5, "\(inc.location.ellipse)")
        // Emission time recovered to within 1 µs.
        #expect(abs(inc.location.emissionNs - FusionScene.t0) < 1_000)
    }

    @Test("3 boxes: exactly determined, source inside the triangle found within 0.1 m")
    func threeBoxes() throws {
        let scene = FusionScene.ring(3, radius: 120)
        let source = PlanePoint(x: 20, y: -15)
        let (engine, outcomes) = fuse(scene, scene.events(source: source))
        let inc = try #require(only(outcomes, engine))
        #expect(inc.location.method == .tdoa)
        let err = inc.location.position.distance(to: source)
        #expect(err < 0.1, "error \(err) m at \(inc.location.position)")
    }

    @Test("6 boxes: within 0.1 m; any arrival order gives the identical position")
    func sixBoxes() throws {
        let scene = FusionScene.ring(6, radius: 200)
        let source = PlanePoint(x: -73.5, y: 118.25)
        let events = scene.events(source: source)
        let (engine, outcomes) = fuse(scene, events)
        let inc = try #require(only(outcomes, engine))
        #expect(inc.boxIDs.count == 6)
        #expect(inc.location.position.distance(to: source) < 0.1)
        let (engine2, _) = fuse(scene, events.reversed())
        #expect(engine2.openIncidents.first?.location.position == inc.location.position)
        #expect(engine2.openIncidents.first?.eventIDs == inc.eventIDs)
    }

    @Test("clock error ±1 ms (reported as 1000 µs): 6 boxes localise within 2 m and the ellipse covers the source")
    func clockError() throws {
        let scene = FusionScene.ring(6, radius: 200)
        var rng = SplitMix64(state: 15)
        var worst = 0.0
        for trial in 0..<20 {
            let source = PlanePoint(x: Double(Int(rng.next() % 300)) - 150, y: Double(Int(rng.next() % 300)) - 150)
            let events = scene.boxes.map { b in
                scene.event(b, source: source, seq: trial + 1, clockErrorNs: Int64(rng.next() % 2_000_001) - 1_000_000,
                            reportedErrorUs: 1000)
            }
            let (engine, _) = fuse(scene, events)
            let inc = try #require(engine.openIncidents.first)
            #expect(engine.openIncidents.count == 1)
            let err = inc.location.position.distance(to: source)
            worst = max(worst, err)
            #expect(err < 2, "trial \(trial): error \(err) m")
            #expect(inc.location.ellipse.semiMajorM >= err, "trial \(trial): ellipse \(inc.location.ellipse) vs \(err) m")
        }
        print("clock error ±1 ms, 6 boxes, 20 sources: worst localisation error \(worst) m")
    }

    @Test("2 boxes with bearings: bearing intersection within 0.5 m")
    func twoBoxes() throws {
        var scene = FusionScene.ring(2, radius: 100)
        scene.boxes[1].orientationDeg = 45
        let source = PlanePoint(x: 30, y: 70)
        let events = scene.boxes.map { scene.event($0, source: source, bearing: true) }
        let (engine, outcomes) = fuse(scene, events)
        let inc = try #require(only(outcomes, engine))
        #expect(inc.location.method == .bearings)
        let err = inc.location.position.distance(to: source)
        #expect(err < 0.5, "error \(err) m at \(inc.location.position)")
    }

    @Test("2 unsynchronised boxes with bearings off by 2°: bearings still place it within 10 m")
    func twoBoxesNoisyBearings() throws {
        let scene = FusionScene.ring(2, radius: 100)
        let source = PlanePoint(x: -20, y: 60)
        let events = [scene.event(scene.boxes[0], source: source, synchronised: false, bearing: true, bearingErrorDeg: 2),
                      scene.event(scene.boxes[1], source: source, synchronised: false, bearing: true, bearingErrorDeg: -2)]
        let (engine, _) = fuse(scene, events)
        let inc = try #require(engine.openIncidents.first)
        #expect(inc.location.method == .bearings)
        #expect(inc.location.position.distance(to: source) < 10, "\(inc.location.position)")
        #expect(inc.location.ellipse.semiMajorM > 1)
    }

    @Test("1 box with a bearing: bearing + range band; without one: the box itself")
    func oneBox() throws {
        var scene = FusionScene.ring(1, radius: 0, range: 300)
        scene.boxes[0].orientationDeg = 90
        let source = PlanePoint(x: 0, y: 120)
        let (engine, _) = fuse(scene, [scene.event(scene.boxes[0], source: source, bearing: true)])
        let inc = try #require(engine.openIncidents.first)
        let loc = inc.location
        #expect(loc.method == .bearingRange)
        #expect(loc.rangeBandM == 0...300)
        // On the bearing (north of the box), half-way along the band.
        #expect(abs(loc.position.x) < 1e-6 && abs(loc.position.y - 150) < 1e-6, "\(loc.position)")
        #expect(abs(loc.ellipse.orientationDeg - 90) < 1e-6)
        #expect(loc.ellipse.semiMajorM == 150)

        let (engine2, _) = fuse(scene, [scene.event(scene.boxes[0], source: source)])
        #expect(engine2.openIncidents.first?.location.method == .nearestBox)
        #expect(engine2.openIncidents.first?.location.ellipse.semiMajorM == 300)
    }

    @Test("1 calibrated box with a class source level: the range band comes from the level")
    func oneBoxLevel() throws {
        let scene = FusionScene.ring(1, radius: 0, range: 500)
        var e = scene.event(scene.boxes[0], source: PlanePoint(x: 100, y: 0), bearing: true)
        e.peakDbSpl = 100  // 140 dB at 1 m → 100 m
        var settings = FusionSettings()
        settings.sourceLevelDbSplAt1m = ["gunshot": 140]
        let (engine, _) = fuse(scene, [e], settings: settings)
        let band = try #require(engine.openIncidents.first?.location.rangeBandM)
        #expect(abs(band.lowerBound - 50) < 1e-9 && abs(band.upperBound - 200) < 1e-9, "\(band)")
    }
}
