// The diagnostics' shorthands for EarshotText's formatter and escaping (the implementation
// is EarshotText's alone).
import EarshotText

/// `x` with exactly `digits` decimals: `FixedDecimal.string`.
@inline(__always)
func fixed(_ x: Double, _ digits: Int) -> String { FixedDecimal.string(x, digits) }

/// A JSON string literal for `s`: `JSONEscaping.quoted`.
@inline(__always)
func jsonString(_ s: String) -> String { JSONEscaping.quoted(s) }
