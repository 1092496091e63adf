import EarshotDetection
import Foundation
import Glibc
import Testing
@testable import EarshotSignatures

/// Reading and writing table files (no Foundation in the module), and file-level JSON errors
/// with line and column.
@Suite("Signature table file access")
struct TableFileTests {
    /// A fresh temporary directory (removed by the caller with `removeTree`).
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/earshot-table-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf in mkdtemp(buf.baseAddress!).map { String(cString: $0) } }
        return try #require(made)
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        let f = try #require(fopen(path, "wb"))
        #expect(fwrite(bytes, 1, bytes.count, f) == bytes.count)
        fclose(f)
    }

    static func removeTree(_ dir: String) {
        if let d = opendir(dir) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(dir + "/" + name) }
            }
            closedir(d)
        }
        rmdir(dir)
    }

    @Test("save then load gives the same table; no temporary file is left behind")
    func saveLoad() throws {
        let dir = try Self.temporaryDirectory()
        defer { Self.removeTree(dir) }
        let path = dir + "/signatures.json"
        try SignatureFile.save(DefaultSignatures.table, to: path)
        #expect(try SignatureFile.load(path: path) == DefaultSignatures.table)
        #expect(access(path + ".tmp", F_OK) != 0)
        // Saving again replaces the file.
        var one = SignatureTable()
        one.append(DefaultSignatures.table[0])
        try SignatureFile.save(one, to: path)
        #expect(try SignatureFile.load(path: path).count == 1)
    }

    @Test("missing file, directory, non-UTF-8 file: one line naming the file")
    func unreadable() throws {
        let dir = try Self.temporaryDirectory()
        defer { Self.removeTree(dir) }
        #expect(throws: SignatureFileError(file: dir + "/none.json",
                                           reason: "cannot open the file (No such file or directory); check the path and permissions")) {
            try SignatureFile.load(path: dir + "/none.json")
        }
        #expect(throws: SignatureFileError(file: dir, reason: "cannot read the file (Is a directory); check the path and permissions")) {
            try SignatureFile.load(path: dir)
        }
        let latin1 = dir + "/latin1.json"
        try Self.writeBytes(Array(#"{"version": 1, "entries": [{"name": "caf"#.utf8) + [0xE9] + Array(#""}]}"#.utf8), to: latin1)
        #expect(throws: SignatureFileError(file: latin1, reason: "not UTF-8 text; save the table as UTF-8 JSON")) {
            try SignatureFile.load(path: latin1)
        }
        #expect(throws: SignatureFileError.self) { try SignatureFile.save(DefaultSignatures.table, to: dir + "/no/such/dir.json") }
    }

    @Test("malformed JSON is reported with line and column")
    func jsonPosition() throws {
        let text = DefaultSignatures.json.replacingOccurrences(of: "\"kind\": \"sustained\",", with: "\"kind\": \"sustained\",,")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains(",,") }) + 1
        let column = try #require(lines[line - 1].firstRange(of: ",,")).upperBound.utf16Offset(in: lines[line - 1])
        do {
            _ = try SignatureFile.parse(text, fileName: "t.json")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("t.json: not valid JSON (line \(line), column \(column): "))
            #expect(error.description.contains("found ','"))
        }
    }

    @Test("duplicate JSON member names are refused, not silently overridden")
    func duplicateMember() throws {
        let text = DefaultSignatures.json.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 1, \"version\": 1,")
        do {
            _ = try SignatureFile.parse(text, fileName: "t.json")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("duplicate member name \"version\""))
        }
    }

    @Test("values are quoted as written; booleans and strings are not numbers")
    func renderedValues() throws {
        let e1 = try #require(TableValidationTests.error(TableValidationTests.edited(entry: "car_horn", field: "min_confidence", value: "1.50")))
        #expect(e1.value == "1.50")
        let e2 = try #require(TableValidationTests.error(TableValidationTests.edited(entry: "car_horn", field: "min_snr_db", value: "\"6\"")))
        #expect(e2.description.hasSuffix(#"field "min_snr_db" = "6": must be a number"#))
        let e3 = try #require(TableValidationTests.error(TableValidationTests.edited(entry: "car_horn", field: "min_snr_db", value: "{\"a\": 1}")))
        #expect(e3.value == "{…}")
        let v = try #require(TableValidationTests.error(DefaultSignatures.json.replacingOccurrences(of: "\"version\": 1", with: "\"version\": true")))
        #expect(v.description == #"signatures.json: field "version" = true: unsupported; this build reads version 1"#)
        // 1.0 and 1e0 are the number 1.
        #expect(try SignatureFile.parse(DefaultSignatures.json.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 1e0"),
                                        fileName: "x").count == DefaultSignatures.table.count)
    }
}
