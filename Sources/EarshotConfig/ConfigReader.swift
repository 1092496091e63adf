// Typed, validating access to a parsed TOML table. Collects every problem as a
// `ConfigIssue` (file, field, value, what is allowed) instead of stopping at
// the first, and reports keys nobody asked for, with a "did you mean" hint.
import EarshotPlatform

struct ConfigReader {
    let file: String
    var issues: [ConfigIssue] = []

    init(file: String) { self.file = file }

    static func field(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func fail(_ path: String, _ key: String, _ value: TOMLValue?, _ message: String, at pos: TOMLPosition? = nil) {
        issues.append(ConfigIssue(file: file, field: Self.field(path, key), value: value?.tomlText, position: pos, message: message))
    }

    mutating func failFile(_ message: String) {
        issues.append(ConfigIssue(file: file, message: message))
    }

    // MARK: - Keys

    /// Reports every key of `t` not in `allowed` (tables as "unknown section").
    mutating func checkKeys(_ t: TOMLTable, path: String, allowed: [String]) {
        for k in t.keys where !allowed.contains(k) {
            let e = t.entry(k)!
            var msg: String
            if case .table = e.value { msg = "unknown section" } else { msg = "unknown key" }
            let place = path.isEmpty ? "at the top level" : "in [\(path)]"
            if let hint = Self.closest(k, in: allowed) { msg += "; did you mean `\(hint)`?" } else { msg += "." }
            msg += " Allowed \(place): \(allowed.joined(separator: ", "))"
            let shown: TOMLValue? = { if case .table = e.value { return nil } else { return e.value } }()
            fail(path, k, shown, msg, at: e.position)
        }
    }

    /// The allowed key closest to `key`, when close enough to be a typo
    /// (`NameSuggestion`, shared with the signature-table reader).
    static func closest(_ key: String, in allowed: [String]) -> String? {
        NameSuggestion.closest(key, in: allowed)
    }

    // MARK: - Sections

    /// The sub-table `key` of `t`, nil when absent (or wrong type: reported).
    mutating func table(_ t: TOMLTable, _ path: String, _ key: String) -> TOMLTable? {
        guard let e = t.entry(key) else { return nil }
        guard case .table(let sub) = e.value else {
            fail(path, key, e.value, "must be a section ([\(Self.field(path, key))]), not \(e.value.typeName)", at: e.position)
            return nil
        }
        return sub
    }

    /// The elements of the array of tables `key` (`[[key]]`), [] when absent.
    mutating func tables(_ t: TOMLTable, _ path: String, _ key: String) -> [TOMLTable] {
        guard let e = t.entry(key) else { return [] }
        guard case .array(let items) = e.value, items.allSatisfy({ if case .table = $0 { true } else { false } }) else {
            fail(path, key, e.value, "must be written as [[\(Self.field(path, key))]] sections", at: e.position)
            return []
        }
        return items.compactMap { if case .table(let s) = $0 { s } else { nil } }
    }

    // MARK: - Scalars

    /// A string; `nil` when absent (and reported when `required`).
    mutating func string(_ t: TOMLTable, _ path: String, _ key: String, required: Bool = false,
                         nonEmpty: Bool = true, what: String = "a string") -> String? {
        guard let v = t[key] else {
            if required { fail(path, key, nil, "missing; required: \(what)") }
            return nil
        }
        guard case .string(let s) = v else {
            fail(path, key, v, "must be \(what), not \(v.typeName)")
            return nil
        }
        if nonEmpty && s.isEmpty {
            fail(path, key, v, "must not be empty; expected \(what)")
            return nil
        }
        return s
    }

    /// An integer in `range`; `nil` when absent (reported when `required`).
    mutating func int(_ t: TOMLTable, _ path: String, _ key: String, in range: ClosedRange<Int>,
                      required: Bool = false, unit: String = "") -> Int? {
        guard let v = t[key] else {
            if required { fail(path, key, nil, "missing; required: an integer \(Self.rangeText(range, unit))") }
            return nil
        }
        guard case .integer(let i) = v else {
            fail(path, key, v, "must be an integer \(Self.rangeText(range, unit)), not \(v.typeName)")
            return nil
        }
        guard i >= Int64(range.lowerBound) && i <= Int64(range.upperBound) else {
            fail(path, key, v, "must be \(Self.rangeText(range, unit))")
            return nil
        }
        return Int(i)
    }

    /// A number (integer or float) in `range`; `nil` when absent.
    mutating func double(_ t: TOMLTable, _ path: String, _ key: String, in range: ClosedRange<Double>,
                         required: Bool = false, unit: String = "") -> Double? {
        guard let v = t[key] else {
            if required { fail(path, key, nil, "missing; required: a number \(Self.rangeText(range, unit))") }
            return nil
        }
        guard let d = Self.number(v) else {
            fail(path, key, v, "must be a number \(Self.rangeText(range, unit)), not \(v.typeName)")
            return nil
        }
        guard range.contains(d) else {
            fail(path, key, v, "must be \(Self.rangeText(range, unit))")
            return nil
        }
        return d
    }

    /// A boolean; `nil` when absent.
    mutating func bool(_ t: TOMLTable, _ path: String, _ key: String) -> Bool? {
        guard let v = t[key] else { return nil }
        guard case .boolean(let b) = v else {
            fail(path, key, v, "must be true or false, not \(v.typeName)")
            return nil
        }
        return b
    }

    /// One of `allowed` strings; `nil` when absent.
    mutating func choice(_ t: TOMLTable, _ path: String, _ key: String, _ allowed: [String], required: Bool = false) -> String? {
        let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let v = t[key] else {
            if required { fail(path, key, nil, "missing; required: one of \(list)") }
            return nil
        }
        guard case .string(let s) = v, allowed.contains(s) else {
            fail(path, key, v, "must be one of \(list)")
            return nil
        }
        return s
    }

    static func number(_ v: TOMLValue) -> Double? {
        switch v {
        case .integer(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    static func rangeText(_ r: ClosedRange<Int>, _ unit: String) -> String {
        "\(r.lowerBound)…\(r.upperBound)" + (unit.isEmpty ? "" : " \(unit)")
    }

    static func rangeText(_ r: ClosedRange<Double>, _ unit: String) -> String {
        "\(numberText(r.lowerBound))…\(numberText(r.upperBound))" + (unit.isEmpty ? "" : " \(unit)")
    }

    static func numberText(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }
}
