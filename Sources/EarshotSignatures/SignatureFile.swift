// The signature-table file: versioned JSON, one entry per class.
import EarshotDetection
import Foundation

/// Reads, validates and writes signature-table files (JSON, "version": 1).
/// Units in the file: dB, dB/ms, ms, Hz, confidence in [0, 1].
public enum SignatureFile {
    /// Loads and validates the table at `path`.
    /// - Throws: `SignatureFileError` naming the file, entry, field and value.
    public static func load(path: String) throws(SignatureFileError) -> SignatureTable {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SignatureFileError(file: path, reason: "cannot read the file (\(error.localizedDescription)); check the path")
        }
        return try parse(text, fileName: path)
    }

    /// Parses and validates `text`; `fileName` is used in error messages.
    public static func parse(_ text: String, fileName: String) throws(SignatureFileError) -> SignatureTable {
        throw SignatureFileError(file: fileName, reason: "not implemented yet")
    }

    /// The canonical JSON text of `table` (stable key order, 2-space indent).
    public static func encode(_ table: SignatureTable) -> String { "{}" }
}
