// The JSON line of `earshot listen --json`: one object per update.
import EarshotDetection
import EarshotSignatures
import EarshotText

/// One update of `earshot listen --json`: `{"t_s","la_dbfs","events":[{"class","phase",
/// "onset_s","confidence","peak_dbfs"}],"classes":[{"class","score","state","spectral",
/// "band_error_db","max_band_error_db","snr_db","min_snr_db","snr_margin_db","tonality_db",
/// "min_tonality_db","level_dbfs","min_level_dbfs","gates":{…},"last_rejection":{"rule","value",
/// "limit","ago_s"}|null,"why"}]}`. Times in seconds, levels in dBFS, SNR and errors in dB;
/// `rate` is the sample rate (Hz) of the events' onset samples, `hopSeconds` one hop (s).
func listenJSONLine(timeSeconds t: Double, laDBFS la: Double, events windowEvents: [(String, Event)],
                    classes shown: [ListenClassView], rate: Int, hopSeconds: Double) -> String {
    func rejectionJSON(_ x: EntryExplanation) -> String {
        guard let r = listenRejection(x, hopSeconds: hopSeconds, within: 3) else { return "null" }
        func num(_ d: Double?) -> String { d.map { FixedDecimal.string($0, 3) } ?? "null" }
        return "{\"rule\":\(JSONEscaping.quoted(r.field)),\"value\":\(num(r.value)),\"limit\":\(num(r.limit)),"
            + "\"ago_s\":\(FixedDecimal.string(r.agoSeconds, 2))}"
    }
    func db(_ q: Int16) -> String { FixedDecimal.string(Double(Int(q)) / 256, 2) }
    func dbOrNull(_ q: Int16) -> String { q == Signature.off ? "null" : db(q) }
    let ev = windowEvents.map { "{\"class\":\(JSONEscaping.quoted($0.0)),\"phase\":\"\($0.1.phase == .start ? "start" : $0.1.phase == .end ? "end" : "impulse")\","
        + "\"onset_s\":\(FixedDecimal.string(Double($0.1.onsetSample) / Double(rate), 3)),\"confidence\":\(FixedDecimal.string(Double(Int($0.1.confidence)) / 65_535, 3)),"
        + "\"peak_dbfs\":\(FixedDecimal.string(Double(Int($0.1.peakLevel)) / 256, 2))}" }
    let cls = shown.map { v -> String in
        let x = v.explanation
        return "{\"class\":\(JSONEscaping.quoted(v.className)),\"score\":\(FixedDecimal.string(v.score, 3)),\"state\":\"\(listenStateName(x.state))\","
            + "\"spectral\":\(FixedDecimal.string(Double(Int(x.spectral)) / 32_767, 3)),\"band_error_db\":\(FixedDecimal.string(Double(x.bandError) / 256, 2)),"
            + "\"max_band_error_db\":\(db(x.maxBandError)),\"snr_db\":\(db(x.snr)),\"min_snr_db\":\(db(x.minSNR)),"
            + "\"snr_margin_db\":\(FixedDecimal.string(Double(Int(x.snr) - Int(x.minSNR)) / 256, 2)),"
            + "\"tonality_db\":\(dbOrNull(x.tonality)),\"min_tonality_db\":\(dbOrNull(x.minTonality)),"
            + "\"level_dbfs\":\(db(x.level)),\"min_level_dbfs\":\(dbOrNull(x.minLevel)),"
            + "\"gates\":{\"spectral\":\(x.spectralOK),\"snr\":\(x.snrOK),\"tonal\":\(x.tonalOK),\"level\":\(x.levelOK)},"
            + "\"last_rejection\":\(rejectionJSON(x)),"
            + "\"why\":\(JSONEscaping.quoted(v.why))}"
    }
    return "{\"t_s\":\(FixedDecimal.string(t, 2)),\"la_dbfs\":\(FixedDecimal.string(la, 2)),\"events\":[\(ev.joined(separator: ","))],\"classes\":[\(cls.joined(separator: ","))]}"
}
