// File access for signature tables: EarshotPlatform does the reading and the atomic
// replacement (shared with the agent's configuration files); this file words its
// failures as `SignatureFileError`s for a technician editing a table.
import EarshotPlatform

/// Reading and writing table files; errors are `SignatureFileError`s naming the path.
enum TableFileIO {
    /// Largest table file read, bytes (16 entries take about 20 KiB; this is not a data file).
    static let maxBytes = 1 << 20

    /// The whole file at `path` as bytes.
    static func read(_ path: String) throws(SignatureFileError) -> [UInt8] {
        do { return try FileAccess.read(path, maxBytes: maxBytes) } catch { throw wording(error, table: path) }
    }

    /// Replaces `path` with `text`: writes `path.tmp`, fsyncs it and renames it over
    /// `path`, keeping the file's permission bits.
    static func replace(_ path: String, with text: String) throws(SignatureFileError) {
        do { try FileAccess.replace(path, with: Array(text.utf8)) } catch { throw wording(error, table: path) }
    }

    /// `error` said for the table at `table`.
    static func wording(_ error: FileAccessError, table: String) -> SignatureFileError {
        let why = error.systemMessage
        let reason: String
        switch error.step {
        case .open: reason = "cannot open the file (\(why)); check the path and permissions"
        case .isDirectory: reason = "cannot read the file (Is a directory); check the path and permissions"
        case .read: reason = "cannot read the file (\(why)); check the path and permissions"
        case .tooLarge: reason = "larger than 1 MiB; a signature table is a small JSON file"
        case .create: reason = "cannot create \(error.path) (\(why)); check the directory and permissions"
        case .write: reason = "cannot write \(error.path) (\(why)); check the directory and permissions"
        case .flush: reason = "cannot flush \(error.path) to disk (\(why)); check the directory and permissions"
        case .rename: reason = "cannot rename \(table).tmp over the file (\(why)); check the directory and permissions"
        }
        return SignatureFileError(file: table, reason: reason)
    }
}
