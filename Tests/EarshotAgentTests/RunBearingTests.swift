// Bearing → camera preset (parallax, dead zone, hysteresis) and UTC onset stamps
// (clock state: ClockSyncReaderTests). References computed here.
import EarshotConfig
import Foundation
import Testing
@testable import EarshotAgent

@Suite("Bearing to camera preset and onset timestamps")
struct RunBearingTests {
    static func camera(position: ArrayPoint = ArrayPoint(x: 0, y: 0, z: 0.3), hysteresis: Double = 10,
                       deadZone: Double = 5) -> CameraSettings {
        CameraSettings(positionM: position, assumedSourceDistanceM: 15, hysteresisDeg: hysteresis, deadZoneDeg: deadZone,
                       presets: [.init(number: 1, azimuthDeg: 0), .init(number: 2, azimuthDeg: 90),
                                 .init(number: 3, azimuthDeg: 180), .init(number: 4, azimuthDeg: 270)])
    }

    @Test("nearest preset for the first event, including across 0/360")
    func nearest() throws {
        for (bearing, preset) in [(10.0, 1), (80.0, 2), (200.0, 3), (350.0, 1), (300.0, 4)] {
            var m = BearingSectorMapper(camera: Self.camera())
            let choice = m.choose(bearingDeg: bearing)
            let c = try #require(choice)
            #expect(c.preset == preset && c.changed, "bearing \(bearing) → preset \(c.preset)")
        }
    }

    @Test("hysteresis: a bearing just past the midpoint keeps the current preset")
    func hysteresis() throws {
        var m = BearingSectorMapper(camera: Self.camera())
        _ = m.choose(bearingDeg: 5)                       // preset 1
        let nearChoice = m.choose(bearingDeg: 49)
        let near = try #require(nearChoice)  // 49° from 1, 41° from 2: 8° < 10° hysteresis
        #expect(near.preset == 1 && !near.changed)
        let farChoice = m.choose(bearingDeg: 56)
        let far = try #require(farChoice)   // 56 vs 34: 22° > 10°
        #expect(far.preset == 2 && far.changed)
        let backChoice = m.choose(bearingDeg: 42)
        let back = try #require(backChoice)  // 42 vs 48 from preset 2: stays
        #expect(back.preset == 2 && !back.changed)
    }

    @Test("dead zone: bearings within it never move the camera even with zero hysteresis")
    func deadZone() throws {
        var m = BearingSectorMapper(camera: Self.camera(hysteresis: 0, deadZone: 50))
        _ = m.choose(bearingDeg: 0)
        let cChoice = m.choose(bearingDeg: 48)
        let c = try #require(cChoice)     // nearer preset 2 but inside the 50° dead zone
        #expect(c.preset == 1 && !c.changed)
    }

    @Test("parallax: camera 5 m to the left sees a source 15 m ahead at atan2(-5, 15)")
    func parallax() {
        let m = BearingSectorMapper(camera: Self.camera(position: ArrayPoint(x: 0, y: 5, z: 0)))
        let expected = (atan2(-5.0, 15.0) * 180 / .pi + 360).truncatingRemainder(dividingBy: 360)
        #expect(abs(m.cameraAzimuth(bearingDeg: 0) - expected) < 1e-9)
    }

    @Test("RFC 3339 UTC with microseconds")
    func timestamp() {
        // 2026-11-23T15:04:05.123457Z = 1_795_446_245 s + 123_456_789 ns (rounded to µs).
        var c = DateComponents()
        c.year = 2026; c.month = 11; c.day = 23; c.hour = 15; c.minute = 4; c.second = 5
        c.timeZone = TimeZone(identifier: "UTC")
        let secs = Int64(Calendar(identifier: .gregorian).date(from: c)!.timeIntervalSince1970)
        #expect(OnsetTimestamp.rfc3339(nanoseconds: secs * 1_000_000_000 + 123_456_789) == "2026-11-23T15:04:05.123457Z")
        let now = OnsetTimestamp.nowNanoseconds()
        #expect(abs(Double(now) / 1e9 - Date().timeIntervalSince1970) < 1)
    }
}
