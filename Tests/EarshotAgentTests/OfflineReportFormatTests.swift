@testable import EarshotOffline
import Foundation
import Testing
@testable import EarshotAgent

@Suite("Offline report formats")
struct OfflineReportFormatTests {
    static let event = OfflineEvent(file: "dir/a \"b\"\t.wav", className: "glass_break", onsetSample: 24_000,
                                    offsetSample: 40_321, sampleRate: 16_000, peakDBFS: -12.345, confidence: 0.8765)

    @Test func dcaseLine() throws {
        let line = OfflineReportFormat.dcase.line(OfflineEvent(file: "x/mix.wav", className: "gunshot", onsetSample: 24_000,
                                                               offsetSample: 40_321, sampleRate: 16_000, peakDBFS: -3, confidence: 1))
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        #expect(f.count == 4)
        #expect(f[0] == "x/mix.wav")
        #expect(Double(f[1]) == 1.5)
        #expect(abs(try #require(Double(f[2])) - 40_321.0 / 16_000) < 0.0005)
        #expect(f[3] == "gunshot")
    }

    @Test func jsonlLineIsValidJSON() throws {
        let line = OfflineReportFormat.jsonl.line(Self.event)
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(obj.keys) == ["file", "class", "onset_s", "offset_s", "duration_s", "onset_sample", "peak_dbfs", "peak_db_spl", "confidence"])
        #expect(obj["file"] as? String == "dir/a \"b\"\t.wav")
        #expect(obj["class"] as? String == "glass_break")
        #expect(obj["onset_s"] as? Double == 1.5)
        #expect(abs((obj["offset_s"] as? Double ?? 0) - 2.5201) < 1e-9)
        #expect(obj["onset_sample"] as? Int == 24_000)
        #expect(obj["peak_dbfs"] as? Double == -12.35 || obj["peak_dbfs"] as? Double == -12.34)
        #expect(obj["confidence"] as? Double == 0.877)
    }

    @Test func tableLineHasColumns() {
        let line = OfflineReportFormat.table.line(Self.event)
        let cols = line.split(separator: " ", omittingEmptySubsequences: true)
        #expect(cols.suffix(5).map(String.init) == ["1.500", "2.520", "glass_break", "-12.3", "0.88"])
        #expect(OfflineReportFormat.table.header != nil)
        #expect(OfflineReportFormat.dcase.header == nil && OfflineReportFormat.jsonl.header == nil)
    }

    /// A file name with a quote, a backslash and a newline.
    static let awkward = "dir/a \"q\" \\ b\nc.wav"

    @Test("jsonl: an awkward file name and a NaN level still parse; NaN is null")
    func jsonlAwkwardFileAndNaN() throws {
        let e = OfflineEvent(file: Self.awkward, className: "gunshot", onsetSample: 16_000, offsetSample: 17_600,
                             sampleRate: 16_000, peakDBFS: .nan, confidence: 0.9)
        let line = OfflineReportFormat.jsonl.line(e)
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["file"] as? String == Self.awkward)
        #expect(obj["peak_dbfs"] is NSNull)
        #expect(obj["peak_db_spl"] is NSNull)
        #expect(obj["confidence"] as? Double == 0.9)
    }

    @Test("jsonl: normal values give the same text as before JSONWriter")
    func jsonlExactText() {
        var e = Self.event
        e.peakDBSPL = 81.255
        #expect(OfflineReportFormat.jsonl.line(e) == #"{"file":"dir/a \"b\"\t.wav","class":"glass_break","onset_s":1.5000,"offset_s":2.5201,"duration_s":1.0201,"onset_sample":24000,"peak_dbfs":-12.35,"peak_db_spl":81.26,"confidence":0.877}"#)
    }
}
