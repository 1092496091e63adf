// Fixed-point real FFT: N real Int16/Int32 samples ↔ N/2+1 complex bins, by a
// radix-2 decimation-in-time complex FFT of N/2 points plus the split step.
//
// Scaling and overflow: data are Int32; products are 32×32 → 64 bits against
// Q30 twiddles and rounded back to Int32. Block floating point: before every
// stage the kernel looks at the OR of |values| from the previous pass and,
// when it reaches 2^29, shifts the stage's inputs right (rounding) until it
// is below; a radix-2 butterfly grows a component by at most 1 + √2, so no
// stage can overflow. Every right shift adds one to the returned exponent:
// true value = stored value · 2^exponent. Integer-only, hence bit-identical
// on every target.

/// Radix-2 fixed-point real FFT with block floating point (Int32 data, Q30 twiddles).
public enum RealFFTQ31 {
    /// Headroom limit of the block-floating-point scaling (2^29).
    @usableFromInline static let limit: UInt32 = 1 << 29

    /// Forward transform of `n` real Q15 samples.
    ///
    /// - Parameters:
    ///   - input: n samples, Q15 (fewer are zero-padded).
    ///   - output: n Int32 values: bins 0 … n/2−1 as interleaved (re, im),
    ///     except that slot 1 (the imaginary part of the real DC bin) holds the
    ///     real Nyquist bin n/2.
    ///   - twiddles: the table from `FFTTwiddles.design(size: n, …)`.
    /// - Returns: block exponent e: X[k] = stored · 2^e (unnormalised DFT of
    ///   the Q15 integers).
    public static func forward(_ input: UnsafeBufferPointer<Int16>, size n: Int,
                               into output: UnsafeMutableBufferPointer<Int32>,
                               twiddles: UnsafeBufferPointer<Int32>) -> Int {
        precondition(output.count >= n && twiddles.count >= n, "FFT buffers smaller than the size")
        // Normalise the input so |x| lands in [2^28, 2^29).
        var orAbs: UInt32 = 0
        let m = min(n, input.count)
        for i in 0..<m { orAbs |= magnitudeBits(Int32(input[i])) }
        var up = 0
        if orAbs != 0 { up = orAbs.leadingZeroBitCount - 3 }
        for i in 0..<n {
            let x: Int32 = i < m ? Int32(input[i]) : 0
            output[i] = x &<< Int32(truncatingIfNeeded: up)
        }
        var exponent = -up
        exponent += complexFFT(output, points: n / 2, inverse: false, twiddles: twiddles,
                               orAbs: orAbs == 0 ? 0 : limit >> 1)
        exponent += splitForward(output, size: n, twiddles: twiddles)
        return exponent
    }

    /// Inverse transform, in place: `data` holds a spectrum packed as
    /// `forward` writes it; on return it holds n real samples.
    ///
    /// - Returns: block exponent e: y[m] = stored · 2^e equals the
    ///   unnormalised inverse DFT Σ_k X[k]·e^{+2πikm/n} / 2 of the input
    ///   (stored values taken as integers).
    public static func inverse(_ data: UnsafeMutableBufferPointer<Int32>, size n: Int,
                               twiddles: UnsafeBufferPointer<Int32>) -> Int {
        precondition(data.count >= n && twiddles.count >= n, "FFT buffers smaller than the size")
        var orAbs: UInt32 = 0
        for i in 0..<n { orAbs |= magnitudeBits(data[i]) }
        var exponent = 0
        let s = shiftNeeded(orAbs)
        if s > 0 {
            for i in 0..<n { data[i] = roundShift(data[i], s) }
            exponent += s
        }
        exponent += splitInverse(data, size: n, twiddles: twiddles)
        var after: UInt32 = 0
        for i in 0..<n { after |= magnitudeBits(data[i]) }
        exponent += complexFFT(data, points: n / 2, inverse: true, twiddles: twiddles, orAbs: after)
        return exponent
    }

    // MARK: - Kernels

    /// |x| as an upper bound usable in an OR (one's complement of negatives).
    @inlinable @inline(__always)
    static func magnitudeBits(_ x: Int32) -> UInt32 { UInt32(bitPattern: x ^ (x &>> 31)) }

    /// Right shift that brings an OR of magnitudes below `limit`.
    @inlinable @inline(__always)
    static func shiftNeeded(_ orAbs: UInt32) -> Int {
        var s = 0
        var v = orAbs
        while v >= limit { v >>= 1; s += 1 }
        return s
    }

    /// Rounding arithmetic right shift by s ≥ 1.
    @inlinable @inline(__always)
    static func roundShift(_ x: Int32, _ s: Int) -> Int32 {
        let s32 = Int32(truncatingIfNeeded: s)
        return (x &+ (Int32(1) &<< (s32 &- 1))) &>> s32
    }

    /// Q30 product rounded back to Int32 scale.
    @inlinable @inline(__always)
    static func mulQ30(_ a: Int32, _ b: Int32) -> Int64 { Widen.product(a, b) }

    @inlinable @inline(__always)
    static func roundQ30(_ p: Int64) -> Int32 { Int32(truncatingIfNeeded: (p &+ 536_870_912) &>> 30) }

    /// In-place radix-2 DIT complex FFT of `points` interleaved complex values.
    /// Twiddle W_L^k is table entry k·(2·points/L). Returns the exponent added.
    static func complexFFT(_ d: UnsafeMutableBufferPointer<Int32>, points h: Int, inverse: Bool,
                           twiddles w: UnsafeBufferPointer<Int32>, orAbs initialOr: UInt32) -> Int {
        // Bit-reversal permutation.
        var j = 0
        for i in 0..<(h - 1) {
            if i < j {
                let re = d[2 * i], im = d[2 * i + 1]
                d[2 * i] = d[2 * j]; d[2 * i + 1] = d[2 * j + 1]
                d[2 * j] = re; d[2 * j + 1] = im
            }
            var bit = h >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
        }
        var exponent = 0
        var orAbs = initialOr
        var span = 2
        let n = 2 * h
        while span <= h {
            let s = shiftNeeded(orAbs)
            exponent += s
            orAbs = 0
            let half = span / 2
            let stride = n / span
            var start = 0
            while start < h {
                for k in 0..<half {
                    let c = w[2 * k * stride]
                    let sn = inverse ? -w[2 * k * stride + 1] : w[2 * k * stride + 1]
                    let ia = 2 * (start + k), ib = ia + span
                    var ar = d[ia], ai = d[ia + 1], br = d[ib], bi = d[ib + 1]
                    if s > 0 {
                        ar = roundShift(ar, s); ai = roundShift(ai, s)
                        br = roundShift(br, s); bi = roundShift(bi, s)
                    }
                    // t = b · (c − j·sn)
                    let tr = roundQ30(mulQ30(br, c) &+ mulQ30(bi, sn))
                    let ti = roundQ30(mulQ30(bi, c) &- mulQ30(br, sn))
                    let xr = ar &+ tr, xi = ai &+ ti, yr = ar &- tr, yi = ai &- ti
                    d[ia] = xr; d[ia + 1] = xi; d[ib] = yr; d[ib + 1] = yi
                    orAbs |= magnitudeBits(xr) | magnitudeBits(xi) | magnitudeBits(yr) | magnitudeBits(yi)
                }
                start += span
            }
            span <<= 1
        }
        return exponent
    }

    /// Z (FFT of x[2m] + j·x[2m+1]) → X[0 … n/2] packed. Returns the exponent added.
    static func splitForward(_ d: UnsafeMutableBufferPointer<Int32>, size n: Int,
                             twiddles w: UnsafeBufferPointer<Int32>) -> Int {
        let h = n / 2
        var orAbs: UInt32 = 0
        for i in 0..<n { orAbs |= magnitudeBits(d[i]) }
        let s = shiftNeeded(orAbs)
        if s > 0 { for i in 0..<n { d[i] = roundShift(d[i], s) } }
        // E = (Zk + conj Zm)/2, Zo = (Zk − conj Zm)/(2j), T = W^k·Zo;
        // X[k] = E + T, X[h−k] = conj(E − T). Halving costs one more exponent bit.
        let z0r = d[0], z0i = d[1]
        d[0] = roundShift(z0r &+ z0i, 1)
        d[1] = roundShift(z0r &- z0i, 1)
        var k = 1
        while k <= h / 2 {
            let m = h - k
            let kr = d[2 * k], ki = d[2 * k + 1], mr = d[2 * m], mi = d[2 * m + 1]
            let er = roundShift(kr &+ mr, 2), ei = roundShift(ki &- mi, 2)
            let or_ = roundShift(ki &+ mi, 2), oi = roundShift(mr &- kr, 2)
            let c = w[2 * k], sn = w[2 * k + 1]
            let tr = roundQ30(mulQ30(or_, c) &+ mulQ30(oi, sn))
            let ti = roundQ30(mulQ30(oi, c) &- mulQ30(or_, sn))
            d[2 * k] = er &+ tr; d[2 * k + 1] = ei &+ ti
            if m != k { d[2 * m] = er &- tr; d[2 * m + 1] = ti &- ei }
            k += 1
        }
        return s + 1
    }

    /// X[0 … n/2] packed → Z = Ze + j·Zo for the inverse complex FFT.
    static func splitInverse(_ d: UnsafeMutableBufferPointer<Int32>, size n: Int,
                             twiddles w: UnsafeBufferPointer<Int32>) -> Int {
        let h = n / 2
        // Inputs are below 2^29: sums stay below 2^30 and products below 2^31.
        let x0 = d[0], xh = d[1]
        d[0] = roundShift(x0 &+ xh, 1)
        d[1] = roundShift(x0 &- xh, 1)
        var k = 1
        while k <= h / 2 {
            let m = h - k
            let kr = d[2 * k], ki = d[2 * k + 1], mr = d[2 * m], mi = d[2 * m + 1]
            // Ze = (Xk + conj Xm)/2, B = (Xk − conj Xm)/2, Zo = B·W^{−k} (W^{−k} = c + j·sn).
            let er = roundShift(kr &+ mr, 1), ei = roundShift(ki &- mi, 1)
            let br = roundShift(kr &- mr, 1), bi = roundShift(ki &+ mi, 1)
            let c = w[2 * k], sn = w[2 * k + 1]
            let or_ = roundQ30(mulQ30(br, c) &- mulQ30(bi, sn))
            let oi = roundQ30(mulQ30(bi, c) &+ mulQ30(br, sn))
            // Z[k] = Ze + j·Zo; Z[m] = conj(Ze − j·Zo).
            d[2 * k] = er &- oi; d[2 * k + 1] = ei &+ or_
            if m != k { d[2 * m] = er &+ oi; d[2 * m + 1] = or_ &- ei }
            k += 1
        }
        return 0
    }
}
