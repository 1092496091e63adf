// Integer widening that compiles under Embedded Swift `-no-allocations` on
// 32-bit targets (armv7em). There, every generic BinaryInteger conversion to a
// wider type (`Int64(x)`, `Int64(truncatingIfNeeded: x)`, `UInt64(x)` from any
// 32-bit or narrower integer, and comparisons like `x > Int64(Int16.max)`)
// goes through `words` and pulls in allocating array code. On 64-bit targets
// the plain conversions are used. All supported targets are little-endian.
//
// Rules for EarshotDSP/EarshotDetection code (checked by `make embedded`):
//   Int32/Int16 → Int64      Widen.int64(x)          never Int64(x)
//   UInt32 → UInt64          Widen.uint64(x)
//   Int32 × Int32 → Int64    Widen.product(a, b)
//   Int → 64-bit shift count Widen.shiftCount(n)     never UInt64(n)
//   Int32/Int16 → Double     Double(Int(x))          never Double(x)
//   Int64 vs constant        compare with a literal  never Int64(Int16.max)
//   Int64 → narrower         Int32(truncatingIfNeeded:) or Saturate.*

#if !_endian(little)
#error("Earshot's fixed-point kernels assume a little-endian target")
#endif

/// Widening conversions and products, allocation-free on every target.
public enum Widen {
    /// Sign-extends an Int32 to Int64.
    @inlinable @inline(__always)
    public static func int64(_ x: Int32) -> Int64 {
        #if _pointerBitWidth(_32)
        return unsafeBitCast((UInt32(bitPattern: x), x &>> 31), to: Int64.self)
        #else
        return Int64(x)
        #endif
    }

    /// Sign-extends an Int16 to Int64.
    @inlinable @inline(__always)
    public static func int64(_ x: Int16) -> Int64 { int64(Int32(x)) }

    /// Zero-extends a UInt32 to UInt64.
    @inlinable @inline(__always)
    public static func uint64(_ x: UInt32) -> UInt64 {
        #if _pointerBitWidth(_32)
        return unsafeBitCast((x, UInt32(0)), to: UInt64.self)
        #else
        return UInt64(x)
        #endif
    }

    /// Full 64-bit product of two Int32 (one SMULL on ARM, IMUL on x86_64).
    @inlinable @inline(__always)
    public static func product(_ a: Int32, _ b: Int32) -> Int64 {
        #if _pointerBitWidth(_32)
        let p = a.multipliedFullWidth(by: b)
        return unsafeBitCast((p.low, p.high), to: Int64.self)
        #else
        return Int64(a) &* Int64(b)
        #endif
    }

    /// A 64-bit shift count from a platform Int in 0…63, for `&<<`/`&>>` on
    /// Int64/UInt64 with a variable count.
    @inlinable @inline(__always)
    public static func shiftCount(_ n: Int) -> UInt64 {
        uint64(UInt32(truncatingIfNeeded: n))
    }

    /// Int64 from a platform Int (shift counts, loop indices).
    @inlinable @inline(__always)
    public static func int64(_ x: Int) -> Int64 {
        #if _pointerBitWidth(_32)
        return int64(Int32(truncatingIfNeeded: x))
        #else
        return Int64(x)
        #endif
    }
}
