// Text formats of `earshot analyze`: table, jsonl, dcase. No Foundation.
import EarshotText

/// Output format of an offline analysis.
public enum OfflineReportFormat: String, Sendable, CaseIterable {
    /// Aligned columns for people: file, onset, offset, class, peak dBFS, confidence.
    case table
    /// One JSON object per event per line (keys: file, class, onset_s, offset_s,
    /// duration_s, onset_sample, peak_dbfs, peak_db_spl (null when uncalibrated), confidence);
    /// a NaN or infinite number is written as null.
    case jsonl
    /// DCASE event list: `filename<TAB>onset_s<TAB>offset_s<TAB>class`.
    case dcase

    /// Header line printed once before the first event (table only).
    public var header: String? {
        self == .table ? "file                             onset_s   offset_s  class          peak_dBFS  conf" : nil
    }

    /// One output line for `event` (no trailing newline).
    public func line(_ e: OfflineEvent) -> String {
        switch self {
        case .dcase:
            return Self.dcaseLine(file: e.file, onsetSeconds: e.onsetSeconds, offsetSeconds: e.offsetSeconds, className: e.className)
        case .jsonl:
            return Self.jsonLine(e)
        case .table:
            return pad(e.file, 32) + " " + lpad(FixedDecimal.string(e.onsetSeconds, 3), 9) + " " + lpad(FixedDecimal.string(e.offsetSeconds, 3), 9)
                + "  " + pad(e.className, 14) + " " + lpad(FixedDecimal.string(e.peakDBFS, 1), 9) + "  " + FixedDecimal.string(e.confidence, 2)
        }
    }
}

extension OfflineReportFormat {
    /// The `jsonl` line of `e`: seconds with 4 decimals, dBFS / dB SPL with 2, confidence with 3
    /// (JSONWriter: NaN and infinities are `null`).
    static func jsonLine(_ e: OfflineEvent) -> String {
        let capacity = 512 + JSONWriter.maxStringBytes(e.file) + JSONWriter.maxStringBytes(e.className)
        return JSONWriter.document(capacity: capacity) { w in
            w.beginObject()
            w.key("file"); w.string(e.file)
            w.key("class"); w.string(e.className)
            w.key("onset_s"); w.number(e.onsetSeconds, decimals: 4)
            w.key("offset_s"); w.number(e.offsetSeconds, decimals: 4)
            w.key("duration_s"); w.number(e.offsetSeconds - e.onsetSeconds, decimals: 4)
            w.key("onset_sample"); w.int(e.onsetSample)
            w.key("peak_dbfs"); w.number(e.peakDBFS, decimals: 2)
            w.key("peak_db_spl"); w.number(e.peakDBSPL, decimals: 2)
            w.key("confidence"); w.number(e.confidence, decimals: 3)
            w.endObject()
        }
    }

    /// One line of a DCASE event list: `file<TAB>onset_s<TAB>offset_s<TAB>class`, seconds with
    /// three decimals. `analyze --format dcase` and `demo --write-wav`'s reference list share it.
    public static func dcaseLine(file: String, onsetSeconds: Double, offsetSeconds: Double, className: String) -> String {
        "\(file)\t\(FixedDecimal.string(onsetSeconds, 3))\t\(FixedDecimal.string(offsetSeconds, 3))\t\(className)"
    }
}

private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
