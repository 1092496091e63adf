// Device samples → Q15 Int16 interleaved frames.

/// Converts device-format samples to Q15 (`Int16`), interleaving unchanged.
enum SampleConversion {
    /// Converts `sampleCount` samples of `format` from `source` into `destination`.
    /// S16_LE is copied; S32_LE is rounded half-up to the top 16 bits and saturated.
    /// Little-endian host assumed (x86_64, aarch64, armv7 Linux all are).
    static func toQ15(_ source: UnsafeRawPointer, format: CaptureSampleFormat,
                      sampleCount: Int, into destination: UnsafeMutablePointer<Int16>) {
        switch format {
        case .s16LE:
            destination.update(from: source.assumingMemoryBound(to: Int16.self), count: sampleCount)
        case .s32LE:
            let s = source.assumingMemoryBound(to: Int32.self)
            for i in 0..<sampleCount {
                let rounded = (Int64(s[i]) &+ 0x8000) &>> 16
                destination[i] = Int16(truncatingIfNeeded: min(rounded, Int64(Int16.max)))
            }
        }
    }
}
