// Changing one value of a TOML file in place, keeping every comment, blank
// line and the layout of everything else (for `earshot calibrate`, which
// writes `microphone.calibration_offset_db` into a technician's board file).

/// In-place edits of TOML text.
public enum TOMLEditor {
    /// `text` with the value at `path` (table keys then the key, e.g.
    /// `["microphone", "calibration_offset_db"]`) replaced by `value`:
    /// - if the key exists, only its value's characters change (a trailing
    ///   comment on the line stays);
    /// - if its `[table]` exists, `key = value` is added after the table's last line;
    /// - otherwise `[table]` and the key are appended at the end.
    /// The result is parsed again and checked to hold `value` at `path`.
    /// Keys inside `[[array of tables]]` cannot be edited this way.
    public static func setting(_ path: [String], to value: TOMLValue, in text: String, file: String) throws(TOMLError) -> String {
        precondition(!path.isEmpty, "path names a key")
        let doc = try TOMLDocument(parsing: text, file: file)
        var bytes = Array(text.utf8)
        let rendered = Array(value.tomlText.utf8)
        let line = Array("\(TOMLValue.keyText(path.last!)) = \(value.tomlText)\n".utf8)
        let table = Array(path.dropLast())
        if let span = doc.valueSpans[path] {
            bytes.replaceSubrange(span, with: rendered)
        } else if let end = doc.tableEnds[table] {
            var insert = line
            if end > 0 && bytes[end - 1] != 0x0A { insert = [0x0A] + insert }
            bytes.insert(contentsOf: insert, at: end)
        } else {
            var tail: [UInt8] = []
            if let last = bytes.last, last != 0x0A { tail.append(0x0A) }
            if !bytes.isEmpty { tail.append(0x0A) }
            tail += Array("[\(table.map(TOMLValue.keyText).joined(separator: "."))]\n".utf8) + line
            bytes += tail
        }
        let result = String(decoding: bytes, as: UTF8.self)
        let check = try TOMLDocument(parsing: result, file: file)
        guard check.root.value(at: path) == value else {
            throw TOMLError(file: file, position: TOMLPosition(line: 1, column: 1),
                            message: "cannot set \(path.joined(separator: ".")) in place (is it inside an array of tables or an inline dotted key?)")
        }
        return result
    }
}

extension ConfigFile {
    /// Sets one key (dotted: `microphone.calibration_offset_db`) in the file
    /// at `path`, preserving comments, and replaces the file atomically.
    public static func set(_ dottedKey: String, to value: TOMLValue, inFile path: String) throws(ConfigError) {
        let text: String
        do { text = try read(path) } catch { throw ConfigError([ConfigIssue(file: path, message: error.message)]) }
        let updated: String
        do {
            updated = try TOMLEditor.setting(dottedKey.split(separator: ".").map(String.init), to: value, in: text, file: path)
        } catch { throw ConfigError(error) }
        do { try replace(path, with: updated) } catch { throw ConfigError([ConfigIssue(file: path, message: error.message)]) }
    }
}
