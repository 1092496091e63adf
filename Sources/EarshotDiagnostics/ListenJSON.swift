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
/// A NaN or infinite number is written as null.
func listenJSONLine(timeSeconds t: Double, laDBFS la: Double, events windowEvents: [(String, Event)],
                    classes shown: [ListenClassView], rate: Int, hopSeconds: Double) -> String {
    // Sized from the input: per event and class the fixed keys and numbers, plus their strings.
    var capacity = 256
    for (name, _) in windowEvents { capacity += 384 + JSONWriter.maxStringBytes(name) }
    for v in shown { capacity += 1_536 + JSONWriter.maxStringBytes(v.className) + JSONWriter.maxStringBytes(v.why) }
    return JSONWriter.document(capacity: capacity) { w in
        w.beginObject()
        w.key("t_s"); w.number(t, decimals: 2)
        w.key("la_dbfs"); w.number(la, decimals: 2)
        w.key("events"); w.beginArray()
        for (name, e) in windowEvents { writeListenEvent(name, e, rate: rate, into: w) }
        w.endArray()
        w.key("classes"); w.beginArray()
        for v in shown { writeListenClass(v, hopSeconds: hopSeconds, into: w) }
        w.endArray()
        w.endObject()
    }
}

/// `{"class","phase":"start"|"end"|"impulse","onset_s","confidence","peak_dbfs"}`.
private func writeListenEvent(_ name: String, _ e: Event, rate: Int, into w: JSONWriter) {
    let phase: StaticString = e.phase == .start ? "start" : e.phase == .end ? "end" : "impulse"
    w.beginObject()
    w.key("class"); w.string(name)
    w.key("phase"); w.string(phase)
    w.key("onset_s"); w.number(Double(e.onsetSample) / Double(rate), decimals: 3)
    w.key("confidence"); w.number(Double(Int(e.confidence)) / 65_535, decimals: 3)
    w.key("peak_dbfs"); w.number(Double(Int(e.peakLevel)) / 256, decimals: 2)
    w.endObject()
}

/// One class of the update: its best hop's gates and numbers (Q8.8 dB values as dB, 2 decimals).
private func writeListenClass(_ v: ListenClassView, hopSeconds: Double, into w: JSONWriter) {
    let x = v.explanation
    func db(_ q: Int16) -> Double { Double(Int(q)) / 256 }
    func dbOrNull(_ q: Int16) -> Double? { q == Signature.off ? nil : db(q) }
    w.beginObject()
    w.key("class"); w.string(v.className)
    w.key("score"); w.number(v.score, decimals: 3)
    w.key("state"); w.string(listenStateName(x.state))
    w.key("spectral"); w.number(Double(Int(x.spectral)) / 32_767, decimals: 3)
    w.key("band_error_db"); w.number(Double(x.bandError) / 256, decimals: 2)
    w.key("max_band_error_db"); w.number(db(x.maxBandError), decimals: 2)
    w.key("snr_db"); w.number(db(x.snr), decimals: 2)
    w.key("min_snr_db"); w.number(db(x.minSNR), decimals: 2)
    w.key("snr_margin_db"); w.number(Double(Int(x.snr) - Int(x.minSNR)) / 256, decimals: 2)
    w.key("tonality_db"); w.number(dbOrNull(x.tonality), decimals: 2)
    w.key("min_tonality_db"); w.number(dbOrNull(x.minTonality), decimals: 2)
    w.key("level_dbfs"); w.number(db(x.level), decimals: 2)
    w.key("min_level_dbfs"); w.number(dbOrNull(x.minLevel), decimals: 2)
    w.key("gates"); w.beginObject()
    w.key("spectral"); w.bool(x.spectralOK)
    w.key("snr"); w.bool(x.snrOK)
    w.key("tonal"); w.bool(x.tonalOK)
    w.key("level"); w.bool(x.levelOK)
    w.endObject()
    w.key("last_rejection")
    if let r = listenRejection(x, hopSeconds: hopSeconds, within: 3) {
        // Value and limit in the field's own unit, 3 decimals; null where the rule has no number.
        w.beginObject()
        w.key("rule"); w.string(r.field)
        w.key("value"); w.number(r.value, decimals: 3)
        w.key("limit"); w.number(r.limit, decimals: 3)
        w.key("ago_s"); w.number(r.agoSeconds, decimals: 2)
        w.endObject()
    } else {
        w.null()
    }
    w.key("why"); w.string(v.why)
    w.endObject()
}
