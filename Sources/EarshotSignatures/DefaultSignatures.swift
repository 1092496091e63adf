// The default signature table that ships with the package (single source of truth).
import EarshotDetection

/// The built-in table. `earshot table show` prints `json`.
public enum DefaultSignatures {
    /// The default table file text.
    public static let json = "{\"version\": 1, \"entries\": []}\n"

    /// The default table, parsed (the text is validated by the tests).
    public static var table: SignatureTable {
        (try? SignatureFile.parse(json, fileName: "<default>")) ?? SignatureTable()
    }
}
