// `earshot listen --json` and `earshot meter --json` lines, and their shared error line:
// awkward names and non-finite numbers still parse, normal values read as they always did.
@testable import EarshotDiagnostics
import EarshotDetection
import Foundation
import Testing

@Suite("listen and meter: JSON lines")
struct ListenMeterJSONTests {
    /// A name with a quote, a backslash and a newline.
    static let awkward = "a \"q\" \\ b\nc"

    static func view(_ name: String, score: Double, rejection: Rejection) -> ListenClassView {
        var x = EntryExplanation()
        x.state = .pending
        x.spectral = 16_384
        x.bandError = 300
        x.maxBandError = 6 * 256
        x.snr = 20 * 256 + 64
        x.minSNR = 12 * 256
        x.tonality = Signature.off
        x.minTonality = 3 * 256
        x.level = -30 * 256
        x.minLevel = Signature.off
        x.spectralOK = true; x.snrOK = true; x.tonalOK = false; x.levelOK = true
        x.lastRejection = rejection
        x.hopsSinceRejection = 25
        return ListenClassView(className: name, score: score, explanation: x, why: "tonality none outside the entry's range")
    }

    static func event(_ phase: EventPhase) -> Event {
        var e = Event()
        e.phase = phase
        e.onsetSample = 20_000
        e.confidence = 52_428
        e.peakLevel = -12 * 256 - 64
        return e
    }

    @Test("listen: an awkward class name and a NaN score parse; NaN is null")
    func listenAwkwardAndNaN() throws {
        let line = listenJSONLine(timeSeconds: 1, laDBFS: .nan, events: [(Self.awkward, Self.event(.start))],
                                  classes: [Self.view(Self.awkward, score: .nan, rejection: Rejection())], rate: 16_000, hopSeconds: 0.01)
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["la_dbfs"] is NSNull)
        let events = try #require(obj["events"] as? [[String: Any]])
        #expect(events.first?["class"] as? String == Self.awkward)
        let c = try #require((obj["classes"] as? [[String: Any]])?.first)
        #expect(c["class"] as? String == Self.awkward)
        #expect(c["score"] is NSNull)
        #expect(c["last_rejection"] is NSNull)
    }

    @Test("listen: normal values give the same text as before JSONWriter")
    func listenExactText() {
        let line = listenJSONLine(timeSeconds: 1.5, laDBFS: -42.125, events: [("gunshot", Self.event(.impulse)), ("car_horn", Self.event(.end))],
                                  classes: [Self.view("car_horn", score: 0.61234, rejection: Rejection(.snrAtPeak, value: 10 * 256, limit: 12 * 256, hop: 0)),
                                            Self.view("siren", score: 0.25, rejection: Rejection(.spectrumAtPeak, value: 0, limit: 0, hop: 0))],
                                  rate: 16_000, hopSeconds: 0.01)
        #expect(line == #"{"t_s":1.50,"la_dbfs":-42.13,"events":[{"class":"gunshot","phase":"impulse","onset_s":1.250,"confidence":0.800,"peak_dbfs":-12.25},{"class":"car_horn","phase":"end","onset_s":1.250,"confidence":0.800,"peak_dbfs":-12.25}],"classes":[{"class":"car_horn","score":0.612,"state":"pending","spectral":0.500,"band_error_db":1.17,"max_band_error_db":6.00,"snr_db":20.25,"min_snr_db":12.00,"snr_margin_db":8.25,"tonality_db":null,"min_tonality_db":3.00,"level_dbfs":-30.00,"min_level_dbfs":null,"gates":{"spectral":true,"snr":true,"tonal":false,"level":true},"last_rejection":{"rule":"min_snr_db","value":10.000,"limit":12.000,"ago_s":0.25},"why":"tonality none outside the entry's range"},{"class":"siren","score":0.250,"state":"pending","spectral":0.500,"band_error_db":1.17,"max_band_error_db":6.00,"snr_db":20.25,"min_snr_db":12.00,"snr_margin_db":8.25,"tonality_db":null,"min_tonality_db":3.00,"level_dbfs":-30.00,"min_level_dbfs":null,"gates":{"spectral":true,"snr":true,"tonal":false,"level":true},"last_rejection":{"rule":"max_band_error_db","value":null,"limit":null,"ago_s":0.25},"why":"tonality none outside the entry's range"}]}"#)
    }

    @Test("meter: NaN and infinite levels parse as null")
    func meterNaN() throws {
        let line = meterJSONLine(timeSeconds: 0.1, laDBFS: .nan, laeqDBFS: -.infinity, lamaxDBFS: -20, peakDBFS: -18,
                                 bandsDBFS: [.nan, -80, -70, -60, -50, -40, -30, -20], clippedSamples: 0, offsetDB: 94)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["la_dbfs"] is NSNull && obj["la_db_spl"] is NSNull)
        #expect(obj["laeq_dbfs"] is NSNull && obj["laeq_db_spl"] is NSNull)
        #expect(obj["lamax_db_spl"] as? Double == 74)
        #expect((obj["bands_dbfs"] as? [Any])?.first is NSNull)
        var totals = MeterTotals()
        totals.laeqDBFS = .nan
        let final = try #require(try JSONSerialization.jsonObject(with: Data(meterFinalJSONLine(seconds: 1, totals: totals, offsetDB: nil).utf8)) as? [String: Any])
        #expect(final["laeq_dbfs"] is NSNull)
        #expect(final["final"] as? Bool == true)
    }

    @Test("meter: normal values give the same text as before JSONWriter")
    func meterExactText() {
        let line = meterJSONLine(timeSeconds: 0.5, laDBFS: -20.004, laeqDBFS: -21.5, lamaxDBFS: -19.996, peakDBFS: -17,
                                 bandsDBFS: [-120, -80.5, -70.25, -60.125, -20.004, -40, -30, -0.001], clippedSamples: 3, offsetDB: 94.5)
        #expect(line == #"{"t_s":0.50,"la_dbfs":-20.00,"laeq_dbfs":-21.50,"lamax_dbfs":-20.00,"peak_dbfs":-17.00,"bands_dbfs":[-120.00,-80.50,-70.25,-60.13,-20.00,-40.00,-30.00,0.00],"clipped_samples":3,"clipping":true,"la_db_spl":74.50,"laeq_db_spl":73.00,"lamax_db_spl":74.50}"#)
        var totals = MeterTotals()
        totals.hops = 100
        totals.laeqDBFS = -21.5; totals.lamaxDBFS = -19.996; totals.peakDBFS = -17; totals.clippedSamples = 0
        totals.bandLeqDBFS = [-120, -80.5, -70.25, -60.125, -20.004, -40, -30, -0.001]
        #expect(meterFinalJSONLine(seconds: 1, totals: totals, offsetDB: nil) == #"{"final":true,"duration_s":1.00,"laeq_dbfs":-21.50,"lamax_dbfs":-20.00,"peak_dbfs":-17.00,"bands_leq_dbfs":[-120.00,-80.50,-70.25,-60.13,-20.00,-40.00,-30.00,0.00],"clipped_samples":0,"laeq_db_spl":null,"lamax_db_spl":null}"#)
    }

    @Test("the error line: an awkward message parses; a plain one reads as before")
    func errorLine() throws {
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(diagnosticErrorJSON(Self.awkward).utf8)) as? [String: Any])
        #expect(obj["error"] as? String == Self.awkward)
        #expect(diagnosticErrorJSON("cannot open hw:9: No such device") == #"{"error":"cannot open hw:9: No such device"}"#)
    }
}
