// The JSON lines of `earshot meter --json` (per update, final) and the error line it
// shares with `earshot listen --json`. A NaN or infinite number is written as null (levels
// are floored at −120 dBFS, so only a broken input or offset gives one).
import EarshotText

/// One update of `earshot meter --json`: `{"t_s","la_dbfs","laeq_dbfs","lamax_dbfs","peak_dbfs",
/// "bands_dbfs":[8],"clipped_samples","clipping","la_db_spl","laeq_db_spl","lamax_db_spl"}`.
/// Time in seconds, levels in dBFS (re full scale; dB SPL = dBFS + `offsetDB`, null when the
/// board is uncalibrated), bands 63 Hz … 8 kHz; numbers with 2 decimals.
func meterJSONLine(timeSeconds t: Double, laDBFS laWin: Double, laeqDBFS: Double, lamaxDBFS: Double, peakDBFS winPeak: Double,
                   bandsDBFS bands: [Double], clippedSamples winClipped: Int, offsetDB offset: Double?) -> String {
    JSONWriter.document(capacity: 512 + JSONWriter.maxNumberBytes * bands.count) { w in
        w.beginObject()
        w.key("t_s"); w.number(t, decimals: 2)
        w.key("la_dbfs"); w.number(laWin, decimals: 2)
        w.key("laeq_dbfs"); w.number(laeqDBFS, decimals: 2)
        w.key("lamax_dbfs"); w.number(lamaxDBFS, decimals: 2)
        w.key("peak_dbfs"); w.number(winPeak, decimals: 2)
        w.key("bands_dbfs"); writeMeterBands(bands, into: w)
        w.key("clipped_samples"); w.int(winClipped)
        w.key("clipping"); w.bool(winClipped > 0)
        w.key("la_db_spl"); w.number(offset.map { laWin + $0 }, decimals: 2)
        w.key("laeq_db_spl"); w.number(offset.map { laeqDBFS + $0 }, decimals: 2)
        w.key("lamax_db_spl"); w.number(offset.map { lamaxDBFS + $0 }, decimals: 2)
        w.endObject()
    }
}

/// The last line of `earshot meter --json`: `{"final":true,"duration_s","laeq_dbfs","lamax_dbfs",
/// "peak_dbfs","bands_leq_dbfs":[8],"clipped_samples","laeq_db_spl","lamax_db_spl"}`; units as
/// `meterJSONLine`, `seconds` the audio analysed.
func meterFinalJSONLine(seconds: Double, totals: MeterTotals, offsetDB offset: Double?) -> String {
    JSONWriter.document(capacity: 512 + JSONWriter.maxNumberBytes * totals.bandLeqDBFS.count) { w in
        w.beginObject()
        w.key("final"); w.bool(true)
        w.key("duration_s"); w.number(seconds, decimals: 2)
        w.key("laeq_dbfs"); w.number(totals.laeqDBFS, decimals: 2)
        w.key("lamax_dbfs"); w.number(totals.lamaxDBFS, decimals: 2)
        w.key("peak_dbfs"); w.number(totals.peakDBFS, decimals: 2)
        w.key("bands_leq_dbfs"); writeMeterBands(totals.bandLeqDBFS, into: w)
        w.key("clipped_samples"); w.int(totals.clippedSamples)
        w.key("laeq_db_spl"); w.number(offset.map { totals.laeqDBFS + $0 }, decimals: 2)
        w.key("lamax_db_spl"); w.number(offset.map { totals.lamaxDBFS + $0 }, decimals: 2)
        w.endObject()
    }
}

/// Band levels (dBFS, 2 decimals) as an array.
private func writeMeterBands(_ bands: [Double], into w: JSONWriter) {
    w.beginArray()
    for b in bands { w.number(b, decimals: 2) }
    w.endArray()
}

/// The one line `earshot listen --json` and `earshot meter --json` print when the input
/// cannot be used: `{"error":"…"}`.
func diagnosticErrorJSON(_ message: String) -> String {
    JSONWriter.document(capacity: 16 + JSONWriter.maxStringBytes(message)) { w in
        w.beginObject()
        w.key("error"); w.string(message)
        w.endObject()
    }
}
