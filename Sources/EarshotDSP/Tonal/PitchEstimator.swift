// The strongest spectral peak between 400 and 2 500 Hz, per hop: the pitch a
// siren's wail, yelp or hi-lo is tracked by (a sweep that the fixed Goertzel
// bins only catch as it passes them). Integer-only, bit-identical everywhere.

/// Pitch of the hop's strongest tonal component in the siren range, from a
/// 512-point fixed-point FFT of the last 512 (decimated) samples.
///
/// **Input.** Every hop's conditioned Q15 samples go to `push` (cheap: a copy
/// into the ring). Above 16 kHz the stream is first averaged over `decimation`
/// samples (2 at 32/44.1 kHz, 3 at 48 kHz), so the FFT always spans 21–64 ms
/// with bins of `binHz` Hz (31.25 at 16 and 48 kHz).
///
/// **Estimate.** `estimate` (the caller runs it only on hops whose band SNR
/// opens its gate: the FFT is the chain's one O(N log N) stage) windows the
/// ring (Hann, Q15), transforms it (`RealFFTQ31`, block floating point),
/// takes |X_k|² of the bins whose centre lies in `minHz … maxHz` and returns
/// the strongest one's centre frequency (Hz) — or that of the strongest bin
/// around half of it, when that lies in the range within 15 dB of the peak (the
/// fundamental under a stronger second harmonic) — and the peak's prominence:
/// its power over the mean power of the other bins of that range, Q8.8 dB. A
/// pure tone reads 15–19 dB, white noise 5–8 dB; an empty range reads (0, 0).
///
/// State: five 512-entry inline arrays (ring, window and windowed copy in
/// Int16, twiddles and FFT work in Int32: 7 KiB), no references, no allocation.
public struct PitchEstimator {
    /// FFT length, samples (after decimation).
    public static let fftSize = 512
    /// Input sample rate, Hz.
    public let sampleRate: Int32
    /// Input samples averaged into one analysed sample.
    public let decimation: Int
    /// Frequency of one FFT bin, Hz (sampleRate / decimation / fftSize).
    public let binHz: Double
    /// First and last bin (inclusive) searched for the peak.
    public let lowBin: Int, highBin: Int

    @usableFromInline var ring = InlineArray<512, Int16>(repeating: 0)
    @usableFromInline var writeIndex = 0
    @usableFromInline var window = InlineArray<512, Int16>(repeating: 0)
    @usableFromInline var twiddles = InlineArray<512, Int32>(repeating: 0)
    @usableFromInline var work = InlineArray<512, Int32>(repeating: 0)
    @usableFromInline var windowed = InlineArray<512, Int16>(repeating: 0)
    // Decimation accumulator (carried across hops whose length is not a multiple).
    @usableFromInline var partialSum: Int32 = 0
    @usableFromInline var partialCount = 0

    /// Designs the estimator (configuration time, `DesignMath`).
    /// - Parameters:
    ///   - sampleRate: Hz, 8 000 … 48 000.
    ///   - minHz, maxHz: range searched for the peak, Hz (0 < min < max < half the analysed rate).
    public init(sampleRate: Int32, minHz: Double = 400, maxHz: Double = 2_500) {
        precondition(sampleRate >= 8_000 && sampleRate <= 48_000, "PitchEstimator: sampleRate out of 8000…48000")
        let d = max(1, Int(sampleRate) / 16_000)
        self.sampleRate = sampleRate
        decimation = d
        let rate = Double(Int(sampleRate)) / Double(d)
        binHz = rate / Double(Self.fftSize)
        precondition(minHz > 0 && minHz < maxHz && maxHz < rate / 2, "PitchEstimator: range must lie in (0, rate/2)")
        var lo = Int((minHz / binHz).rounded(.up))
        var hi = Int((maxHz / binHz).rounded(.down))
        lo = max(1, lo); hi = min(Self.fftSize / 2 - 1, hi)
        precondition(hi - lo >= 8, "PitchEstimator: range narrower than 8 bins")
        lowBin = lo; highBin = hi
        let n = Double(Self.fftSize)
        for i in 0..<Self.fftSize {
            let w = 0.5 - 0.5 * DesignMath.cos(2 * DesignMath.pi * Double(i) / n)  // periodic Hann
            window[i] = Int16(min(32_767, (w * 32_768).rounded()))
        }
        withUnsafeMutablePointer(to: &twiddles) { p in
            let t = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Int32.self)
            FFTTwiddles.design(size: Self.fftSize, into: UnsafeMutableBufferPointer(start: t, count: Self.fftSize))
        }
    }

    /// Appends one hop of Q15 samples (any length) to the ring, decimated.
    @inlinable
    public mutating func push(_ hop: UnsafeBufferPointer<Int16>) {
        guard let src = hop.baseAddress else { return }
        let d = decimation
        var w = writeIndex
        withUnsafeMutablePointer(to: &ring) { p in
            let r = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Int16.self)
            if d == 1 {
                for i in 0..<hop.count {
                    r[w] = src[i]
                    w = (w &+ 1) & (Self.fftSize &- 1)
                }
            } else {
                var sum = partialSum, count = partialCount
                let divisor = Int32(truncatingIfNeeded: d)
                let half = divisor / 2
                for i in 0..<hop.count {
                    sum &+= Int32(src[i]); count &+= 1
                    if count == d {
                        // Round half away from zero, so the average is symmetric in sign.
                        let q = sum >= 0 ? (sum &+ half) / divisor : (sum &- half) / divisor
                        r[w] = Int16(truncatingIfNeeded: q)
                        w = (w &+ 1) & (Self.fftSize &- 1)
                        sum = 0; count = 0
                    }
                }
                partialSum = sum; partialCount = count
            }
        }
        writeIndex = w
    }

    /// Centre of bin `k`, Hz, rounded half up: k · sampleRate / (decimation · fftSize)
    /// in integers (k ≤ 256, so k · sampleRate < 2^24).
    @inlinable
    func centreHz(bin k: Int) -> Int16 {
        let denominator = Int32(truncatingIfNeeded: decimation &* Self.fftSize)
        let numerator = Int32(truncatingIfNeeded: k) &* sampleRate &+ denominator / 2
        return Int16(truncatingIfNeeded: numerator / denominator)
    }

    /// |X_k|² / 2^8 of bin `k` of a spectrum packed as `RealFFTQ31.forward` writes it
    /// (|re|, |im| < 2^31: each square < 2^62; the shift keeps the range's sum in 64 bits).
    @inlinable @inline(__always)
    static func power(_ out: UnsafeMutablePointer<Int32>, bin k: Int) -> UInt64 {
        let re = Widen.int64(out[2 &* k]), im = Widen.int64(out[2 &* k &+ 1])
        return UInt64(bitPattern: re &* re) &>> 8 &+ UInt64(bitPattern: im &* im) &>> 8
    }

    /// The peak of the last 512 analysed samples: pitch (Hz, 0 = none: the strongest
    /// bin, or its subharmonic, see below) and prominence (the strongest bin's power,
    /// Q8.8 dB over the mean of the range's other bins).
    @inlinable
    public mutating func estimate() -> (hz: Int16, prominence: Int16) {
        let n = Self.fftSize
        let start = writeIndex
        let lo = lowBin, hi = highBin
        var peak: UInt64 = 0, total: UInt64 = 0, peakBin = 0, pitchBin = -1
        withUnsafeMutablePointer(to: &ring) { rp in
            withUnsafeMutablePointer(to: &window) { wp in
                withUnsafeMutablePointer(to: &windowed) { xp in
                    withUnsafeMutablePointer(to: &twiddles) { tp in
                        withUnsafeMutablePointer(to: &work) { op in
                            let r = UnsafeRawPointer(rp).assumingMemoryBound(to: Int16.self)
                            let win = UnsafeRawPointer(wp).assumingMemoryBound(to: Int16.self)
                            let x = UnsafeMutableRawPointer(xp).assumingMemoryBound(to: Int16.self)
                            let t = UnsafeRawPointer(tp).assumingMemoryBound(to: Int32.self)
                            let out = UnsafeMutableRawPointer(op).assumingMemoryBound(to: Int32.self)
                            // Oldest sample first: the ring's write index is the oldest slot.
                            for i in 0..<n {
                                let s = Int32(r[(start &+ i) & (n &- 1)])
                                x[i] = Int16(truncatingIfNeeded: (s &* Int32(win[i]) &+ 16_384) &>> 15)
                            }
                            _ = RealFFTQ31.forward(UnsafeBufferPointer(start: UnsafePointer(x), count: n), size: n,
                                                   into: UnsafeMutableBufferPointer(start: out, count: n),
                                                   twiddles: UnsafeBufferPointer(start: t, count: n))
                            for k in lo...hi {
                                let p = Self.power(out, bin: k)
                                total &+= p
                                if p > peak { peak = p; peakBin = k }
                            }
                            // Prefer the fundamental: when the strongest peak's half lies in the
                            // range and a bin there (±1) is within 15 dB of it (32×), that bin is
                            // the pitch. A siren's or horn's harmonic outgrows its fundamental on
                            // some hops (band-limited recordings, resonances); the track would
                            // jump an octave there.
                            let half = (peakBin &+ 1) / 2
                            if half &- 1 >= lo {
                                var best: UInt64 = 0, bestBin = half
                                for k in (half &- 1)...(half &+ 1) {
                                    let p = Self.power(out, bin: k)
                                    if p > best { best = p; bestBin = k }
                                }
                                if best &* 32 >= peak { pitchBin = bestBin }
                            }
                        }
                    }
                }
            }
        }
        if peak == 0 { return (0, 0) }
        let others = Widen.uint64(UInt32(truncatingIfNeeded: hi &- lo))  // bins in the range minus the peak
        let restMean = (total &- peak) / others
        let ratio = restMean == 0 ? Int32(60 * 256) : Decibel.powerQ8_8(peak) &- Decibel.powerQ8_8(restMean)
        let reported = pitchBin >= 0 ? pitchBin : peakBin
        return (centreHz(bin: reported), Saturate.toInt16(min(ratio, Int32(60 * 256))))
    }
}
