// One-pole/one-zero DC-blocking high-pass.

/// DC blocker `y[n] = x[n] − x[n−1] + R·y[n−1]`, corner `cornerHz` (5 Hz by
/// default), designed for the sample rate (R = 1 − 2π·fc/fs).
///
/// Input and output: Q15 `Int16`. R: Q30 in Int32. State: Int32 in state units
/// (Q15 << 12, see `FilterFormat`), accumulator Int64; the output is rounded
/// to Q15 and saturates (the gain near Nyquist is 2/(1+R) ≈ 1.0007). State
/// carries across calls; blocks of any length (0 allowed).
public struct DCBlocker {
    @usableFromInline let r: Int64
    @usableFromInline var previousInput: Int64 = 0
    @usableFromInline var previousOutput: Int64 = 0

    /// Designs the blocker for `sampleRate` Hz with corner `cornerHz` Hz (1…50).
    public init(sampleRate: Int32, cornerHz: Double = 5) {
        precondition(sampleRate >= 8_000 && sampleRate <= 48_000, "DCBlocker: sampleRate out of 8000…48000")
        precondition(cornerHz >= 1 && cornerHz <= 50, "DCBlocker: cornerHz out of 1…50")
        let rate = Double(Int(sampleRate))
        r = Widen.int64(FilterFormat.q30(1 - 2 * DesignMath.pi * cornerHz / rate))
    }

    /// Filters `input` into `output` (same count), Q15 → Q15.
    @inlinable
    public mutating func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "DCBlocker: output shorter than input")
        var x1 = previousInput
        var y1 = previousOutput
        let r = self.r
        for i in 0..<input.count {
            let x0 = Widen.int64(input[i]) &<< 12
            let acc = ((x0 &- x1) &<< 30) &+ r &* y1 &+ (1 &<< 29)
            var y0 = acc &>> 30
            if y0 > 1_073_741_824 { y0 = 1_073_741_824 }
            if y0 < -1_073_741_824 { y0 = -1_073_741_824 }
            output[i] = Saturate.toInt16((y0 &+ 2_048) &>> 12)
            x1 = x0
            y1 = y0
        }
        previousInput = x1
        previousOutput = y1
    }

    /// Filters `samples` in place, Q15 → Q15.
    @inlinable
    public mutating func process(inPlace samples: UnsafeMutableBufferPointer<Int16>) {
        process(UnsafeBufferPointer(samples), into: samples)
    }
}
