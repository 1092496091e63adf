@testable import EarshotOffline
import EarshotDetection
import EarshotSignatures
import Testing
@testable import EarshotAgent

@Suite("Offline detector adapter: fixed-point Event → report units")
struct OfflineDetectorTests {
    static func event(_ phase: EventPhase, calibrated: Bool) -> Event {
        var e = Event()
        e.soundClass = .carHorn
        e.entryIndex = 200  // beyond any table: name comes from the built-in class
        e.phase = phase
        e.onsetSample = 16_000
        e.offsetSample = 40_000
        e.peakLevel = -3_200  // −12.5 dBFS in Q8.8
        e.peakLevelSPL = 20_352  // 79.5 dB SPL
        e.isCalibrated = calibrated
        e.confidence = 49_151  // 0.75 of 65 535
        return e
    }

    @Test func convertsUnits() {
        let o = OfflineDetector.convert(Self.event(.end, calibrated: true), table: SignatureTable())
        #expect(o.className == "car_horn")
        #expect(o.onsetSample == 16_000 && o.offsetSample == 40_000)
        #expect(o.peakDBFS == -12.5)
        #expect(o.peakDBSPL == 79.5)
        #expect(abs(o.confidence - 49_151.0 / 65_535.0) < 1e-12)
        #expect(OfflineDetector.convert(Self.event(.impulse, calibrated: false), table: SignatureTable()).peakDBSPL == nil)
    }

    @Test("SPL offset in dB becomes Q8.8 for the engine; a bad table path is a setup error naming it")
    func setup() throws {
        let s = try OfflineDetectorSetup(tablePath: nil, splOffsetDB: 94.25)
        #expect(s.splOffset == 24_128)
        #expect(try OfflineDetectorSetup(tablePath: nil, splOffsetDB: nil).splOffset == nil)
        do {
            _ = try OfflineDetectorSetup(tablePath: "/nonexistent/table.json", splOffsetDB: nil)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("/nonexistent/table.json"), "\(error)")
        }
    }
}
