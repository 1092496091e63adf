// A small JSON Schema (draft 2020-12) validator for the subset Earshot's schemas use.
import Foundation

/// Validates JSON values against a schema using: `type` (string or list), `enum`,
/// `const`, `required`, `properties`, `additionalProperties` (bool or schema),
/// `items`, `minItems`, `maxItems`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `minLength`, `maxLength`, `pattern`, `format: date-time`
/// (RFC 3339 shape), `$ref` to `#/$defs/…`. Any other keyword makes
/// `init` throw, so a schema cannot silently use something unchecked.
public struct JSONSchemaValidator {
    private let root: [String: Any]

    private static let supported: Set<String> = [
        "$schema", "$id", "$defs", "$ref", "$comment", "title", "description", "examples", "default",
        "type", "enum", "const", "required", "properties", "additionalProperties", "items", "minItems", "maxItems",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format",
    ]

    /// Loads a schema file; throws when it is not JSON or uses unsupported keywords.
    public init(schemaFile: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: schemaFile))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestSupportError("\(schemaFile): schema is not a JSON object")
        }
        try self.init(schema: object, name: schemaFile)
    }

    /// Uses an already parsed schema.
    public init(schema: [String: Any], name: String = "schema") throws {
        root = schema
        try Self.checkKeywords(schema, path: name)
    }

    private static func checkKeywords(_ s: [String: Any], path: String) throws {
        for (k, v) in s {
            guard supported.contains(k) else { throw TestSupportError("\(path): unsupported keyword \"\(k)\"") }
            switch k {
            case "properties", "$defs":
                for (name, sub) in (v as? [String: Any]) ?? [:] {
                    if let sub = sub as? [String: Any] { try checkKeywords(sub, path: "\(path)/\(k)/\(name)") }
                }
            case "items", "additionalProperties":
                if let sub = v as? [String: Any] { try checkKeywords(sub, path: "\(path)/\(k)") }
            default: break
            }
        }
    }

    /// Validates a JSON text; returns human-readable errors (empty = valid).
    public func validate(json text: String) -> [String] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return ["not valid JSON: \(text.prefix(200))"]
        }
        var errors: [String] = []
        check(value, against: root, path: "$", errors: &errors)
        return errors
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, ref.hasPrefix("#/$defs/") else { return schema }
        let name = String(ref.dropFirst("#/$defs/".count))
        return ((root["$defs"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    private static func typeName(_ v: Any) -> String {
        if v is NSNull { return "null" }
        if let n = v as? NSNumber {
            if String(cString: n.objCType) == "c" { return "boolean" }
            let kind = String(cString: n.objCType)
            if kind == "d" || kind == "f" {
                let d = n.doubleValue
                return d.rounded() == d && abs(d) < 9.0e15 ? "integer" : "number"   // 2020-12: 12.0 is an integer
            }
            return "integer"
        }
        if v is String { return "string" }
        if v is [Any] { return "array" }
        if v is [String: Any] { return "object" }
        return "unknown"
    }

    private func check(_ value: Any, against raw: [String: Any], path: String, errors: inout [String]) {
        let schema = resolve(raw)
        let actual = Self.typeName(value)
        if let t = schema["type"] {
            let allowed = (t as? [String]) ?? [(t as? String) ?? ""]
            let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !ok { errors.append("\(path): expected \(allowed.joined(separator: "|")), got \(actual)"); return }
        }
        if let e = schema["enum"] as? [Any], !e.contains(where: { Self.equal($0, value) }) {
            errors.append("\(path): \(value) not in enum \(e)")
        }
        if let c = schema["const"], !Self.equal(c, value) { errors.append("\(path): expected const \(c), got \(value)") }
        if let n = value as? NSNumber, actual != "boolean" {
            let d = n.doubleValue
            if let m = (schema["minimum"] as? NSNumber)?.doubleValue, d < m { errors.append("\(path): \(d) < minimum \(m)") }
            if let m = (schema["maximum"] as? NSNumber)?.doubleValue, d > m { errors.append("\(path): \(d) > maximum \(m)") }
            if let m = (schema["exclusiveMinimum"] as? NSNumber)?.doubleValue, d <= m { errors.append("\(path): \(d) ≤ exclusiveMinimum \(m)") }
            if let m = (schema["exclusiveMaximum"] as? NSNumber)?.doubleValue, d >= m { errors.append("\(path): \(d) ≥ exclusiveMaximum \(m)") }
        }
        if let s = value as? String {
            if let m = schema["minLength"] as? Int, s.count < m { errors.append("\(path): length \(s.count) < minLength \(m)") }
            if let m = schema["maxLength"] as? Int, s.count > m { errors.append("\(path): length \(s.count) > maxLength \(m)") }
            if let p = schema["pattern"] as? String, s.range(of: p, options: .regularExpression) == nil {
                errors.append("\(path): \"\(s)\" does not match pattern \(p)")
            }
            if schema["format"] as? String == "date-time",
               s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) == nil {
                errors.append("\(path): \"\(s)\" is not an RFC 3339 date-time")
            }
        }
        if let a = value as? [Any], actual == "array" {
            if let m = schema["minItems"] as? Int, a.count < m { errors.append("\(path): \(a.count) items < minItems \(m)") }
            if let m = schema["maxItems"] as? Int, a.count > m { errors.append("\(path): \(a.count) items > maxItems \(m)") }
            if let items = schema["items"] as? [String: Any] {
                for (i, v) in a.enumerated() { check(v, against: items, path: "\(path)[\(i)]", errors: &errors) }
            }
        }
        if let o = value as? [String: Any], actual == "object" {
            for r in (schema["required"] as? [String]) ?? [] where o[r] == nil {
                errors.append("\(path): missing required \"\(r)\"")
            }
            let props = (schema["properties"] as? [String: Any]) ?? [:]
            for (k, v) in o {
                if let sub = props[k] as? [String: Any] {
                    check(v, against: sub, path: "\(path).\(k)", errors: &errors)
                } else if let extra = schema["additionalProperties"] {
                    if let allowed = extra as? Bool, !allowed { errors.append("\(path): unexpected property \"\(k)\"") }
                    if let sub = extra as? [String: Any] { check(v, against: sub, path: "\(path).\(k)", errors: &errors) }
                }
            }
        }
    }

    private static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as String, y as String): return x == y
        case let (x as NSNumber, y as NSNumber): return x == y
        case (is NSNull, is NSNull): return true
        default: return false
        }
    }
}
