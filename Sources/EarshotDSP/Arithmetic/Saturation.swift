// Saturating conversions shared by every kernel.
//
// Fixed-point conventions (see README "Fixed-point conventions"):
//   samples     Q15 in Int16 (full scale ±1.0 = ±32768)
//   internal    Q31 in Int32 or wider headroom formats stated per kernel
//   accumulate  Int64
// Shifts in kernels are masking shifts (`&>>`, `&<<`) with counts known to be
// in range: on 32-bit Embedded targets a smart shift of Int64 pulls in
// allocating code.

/// Saturating narrowing helpers. All functions are total: out-of-range values
/// clamp to the destination's limits instead of wrapping.
public enum Saturate {
    /// Clamps an `Int32` to the `Int16` range (Q15 output).
    @inlinable @inline(__always)
    public static func toInt16(_ x: Int32) -> Int16 {
        if x > Int32(Int16.max) { return Int16.max }
        if x < Int32(Int16.min) { return Int16.min }
        return Int16(truncatingIfNeeded: x)
    }

    /// Clamps an `Int64` to the `Int16` range (Q15 output).
    @inlinable @inline(__always)
    public static func toInt16(_ x: Int64) -> Int16 {
        if x > 32_767 { return Int16.max }
        if x < -32_768 { return Int16.min }
        return Int16(truncatingIfNeeded: x)
    }

    /// Clamps an `Int64` to the `Int32` range (Q31 output).
    @inlinable @inline(__always)
    public static func toInt32(_ x: Int64) -> Int32 {
        if x > 2_147_483_647 { return Int32.max }
        if x < -2_147_483_648 { return Int32.min }
        return Int32(truncatingIfNeeded: x)
    }
}
