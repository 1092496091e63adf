// Fixed calibration gain (microphone sensitivity correction).

/// Multiplies Q15 samples by a gain fixed at configuration time.
///
/// The gain is Q27 in Int32 (4 integer bits: 0 ≤ gain < 16, resolution
/// 7.5e-9); each product is Int16 × Int32 → Int64, rounded (half up) back to
/// Q15 and saturated to ±full scale instead of wrapping. Stateless per sample.
public struct CalibrationGain {
    /// The gain in Q27.
    public let gainQ27: Int32

    /// Designs the gain from a linear factor (1.0 = unity), 0 ≤ gain < 16.
    public init(gain: Double) {
        precondition(gain >= 0 && gain < 16, "CalibrationGain: gain must be in 0..<16 (calibrationGain in the configuration)")
        gainQ27 = Int32((gain * 134_217_728.0).rounded())
    }

    /// Scales `input` into `output` (same count), Q15 → Q15, saturating.
    @inlinable
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "CalibrationGain: output shorter than input")
        let g = gainQ27
        for i in 0..<input.count {
            let p = Widen.product(Int32(input[i]), g)
            output[i] = Saturate.toInt16((p &+ (1 &<< 26)) &>> 27)
        }
    }

    /// Scales `samples` in place, Q15 → Q15, saturating.
    @inlinable
    public func process(inPlace samples: UnsafeMutableBufferPointer<Int16>) {
        process(UnsafeBufferPointer(samples), into: samples)
    }
}
