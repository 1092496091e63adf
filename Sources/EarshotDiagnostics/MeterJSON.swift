// The JSON lines of `earshot meter --json` (per update, final) and the error line it
// shares with `earshot listen --json`.
import EarshotText

/// One update of `earshot meter --json`: `{"t_s","la_dbfs","laeq_dbfs","lamax_dbfs","peak_dbfs",
/// "bands_dbfs":[8],"clipped_samples","clipping","la_db_spl","laeq_db_spl","lamax_db_spl"}`.
/// Time in seconds, levels in dBFS (re full scale; dB SPL = dBFS + `offsetDB`, null when the
/// board is uncalibrated), bands 63 Hz … 8 kHz.
func meterJSONLine(timeSeconds t: Double, laDBFS laWin: Double, laeqDBFS: Double, lamaxDBFS: Double, peakDBFS winPeak: Double,
                   bandsDBFS bands: [Double], clippedSamples winClipped: Int, offsetDB offset: Double?) -> String {
    func spl(_ dbfs: Double) -> String { offset.map { FixedDecimal.string(dbfs + $0, 2) } ?? "null" }
    return "{\"t_s\":\(FixedDecimal.string(t, 2)),\"la_dbfs\":\(FixedDecimal.string(laWin, 2)),\"laeq_dbfs\":\(FixedDecimal.string(laeqDBFS, 2)),"
        + "\"lamax_dbfs\":\(FixedDecimal.string(lamaxDBFS, 2)),\"peak_dbfs\":\(FixedDecimal.string(winPeak, 2)),"
        + "\"bands_dbfs\":[\(bands.map { FixedDecimal.string($0, 2) }.joined(separator: ","))],"
        + "\"clipped_samples\":\(winClipped),\"clipping\":\(winClipped > 0),"
        + "\"la_db_spl\":\(spl(laWin)),\"laeq_db_spl\":\(spl(laeqDBFS)),\"lamax_db_spl\":\(spl(lamaxDBFS))}"
}

/// The last line of `earshot meter --json`: `{"final":true,"duration_s","laeq_dbfs","lamax_dbfs",
/// "peak_dbfs","bands_leq_dbfs":[8],"clipped_samples","laeq_db_spl","lamax_db_spl"}`; units as
/// `meterJSONLine`, `seconds` the audio analysed.
func meterFinalJSONLine(seconds: Double, totals: MeterTotals, offsetDB offset: Double?) -> String {
    func spl(_ dbfs: Double) -> String { offset.map { FixedDecimal.string(dbfs + $0, 2) } ?? "null" }
    return "{\"final\":true,\"duration_s\":\(FixedDecimal.string(seconds, 2)),\"laeq_dbfs\":\(FixedDecimal.string(totals.laeqDBFS, 2)),"
        + "\"lamax_dbfs\":\(FixedDecimal.string(totals.lamaxDBFS, 2)),\"peak_dbfs\":\(FixedDecimal.string(totals.peakDBFS, 2)),"
        + "\"bands_leq_dbfs\":[\(totals.bandLeqDBFS.map { FixedDecimal.string($0, 2) }.joined(separator: ","))],"
        + "\"clipped_samples\":\(totals.clippedSamples),\"laeq_db_spl\":\(spl(totals.laeqDBFS)),\"lamax_db_spl\":\(spl(totals.lamaxDBFS))}"
}

/// The one line `earshot listen --json` and `earshot meter --json` print when the input
/// cannot be used: `{"error":"…"}`.
func diagnosticErrorJSON(_ message: String) -> String {
    "{\"error\":\(JSONEscaping.quoted(message))}"
}
