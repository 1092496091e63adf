// The one decimal-integer writer of the fixed-buffer text builders: MQTT payloads
// (JSONWriter), the status detail and sd_notify line (StatusText) and the agent's
// log lines (AgentLogLine). No buffer, no allocation.

/// ASCII decimal digits of an unsigned integer, most significant first.
public enum DecimalDigits {
    /// Calls `emit` with each ASCII digit of `value` ("0" for 0; at most 20 digits).
    @inlinable @inline(__always)
    public static func write(_ value: UInt64, _ emit: (UInt8) -> Void) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor &*= 10 }
        var rest = value
        while divisor > 0 {
            emit(0x30 &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
