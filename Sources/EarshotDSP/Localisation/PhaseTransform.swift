// PHAT weighting in fixed point: every bin of the band reduced to a unit
// phasor, and the cross-spectrum of two such channels.

/// Phase transform kernels (Int32 spectra as `RealFFTQ31.forward` packs them).
public enum PhaseTransform {
    /// Unit phasor scale: 1.0 = 2^14 (Q14), so a product of two is Q28.
    public static let one: Int32 = 1 << 14

    /// Replaces bins binLow … binHigh of `spectrum` by X/|X| in Q14 and zeroes
    /// every other bin (including the packed DC/Nyquist slots). Each bin is
    /// first normalised on its own (shift so max(|re|, |im|) ∈ [2^14, 2^15)),
    /// so weak bins keep full phase precision.
    /// - Returns: false when every bin of the band was zero.
    @discardableResult
    public static func unitPhasors(_ spectrum: UnsafeMutableBufferPointer<Int32>, binLow: Int, binHigh: Int) -> Bool {
        var any = false
        spectrum[0] = 0; spectrum[1] = 0
        let half = spectrum.count / 2
        for k in 1..<half {
            guard k >= binLow, k <= binHigh else { spectrum[2 * k] = 0; spectrum[2 * k + 1] = 0; continue }
            var re = spectrum[2 * k], im = spectrum[2 * k + 1]
            let bits = RealFFTQ31.magnitudeBits(re) | RealFFTQ31.magnitudeBits(im)
            if bits == 0 { continue }
            any = true
            let lz = bits.leadingZeroBitCount          // top set bit at 31 − lz
            let shift = 17 - lz                         // bring it to bit 14
            if shift > 0 {
                re = RealFFTQ31.roundShift(re, shift); im = RealFFTQ31.roundShift(im, shift)
            } else if shift < 0 {
                re = re &<< Int32(truncatingIfNeeded: -shift); im = im &<< Int32(truncatingIfNeeded: -shift)
            }
            // |re|, |im| ≤ 2^15: the squares' sum fits in UInt32.
            let sq = UInt32(truncatingIfNeeded: re &* re) &+ UInt32(truncatingIfNeeded: im &* im)
            let mag = Int32(truncatingIfNeeded: isqrt(sq))
            if mag == 0 { spectrum[2 * k] = 0; spectrum[2 * k + 1] = 0; continue }
            spectrum[2 * k] = (re &<< 14) / mag
            spectrum[2 * k + 1] = (im &<< 14) / mag
        }
        return any
    }

    /// cross[k] = u[k] · conj(v[k]) for k in binLow … binHigh (Q28), zero
    /// elsewhere: the PHAT cross-spectrum ready for `RealFFTQ31.inverse`.
    public static func crossSpectrum(_ u: UnsafeBufferPointer<Int32>, _ v: UnsafeBufferPointer<Int32>,
                                     binLow: Int, binHigh: Int,
                                     into cross: UnsafeMutableBufferPointer<Int32>) {
        for i in 0..<cross.count { cross[i] = 0 }
        for k in binLow...binHigh {
            let ur = u[2 * k], ui = u[2 * k + 1], vr = v[2 * k], vi = v[2 * k + 1]
            cross[2 * k] = ur &* vr &+ ui &* vi
            cross[2 * k + 1] = ui &* vr &- ur &* vi
        }
    }

    /// cross[k] += (u[k] · conj(v[k])) >> shift (rounded) for k in binLow … binHigh:
    /// the PHAT cross-spectrum of one more window added to a running sum
    /// (Q(28 − shift); other bins untouched, zero them before the first window).
    public static func accumulateCrossSpectrum(_ u: UnsafeBufferPointer<Int32>, _ v: UnsafeBufferPointer<Int32>,
                                               binLow: Int, binHigh: Int, shift: Int,
                                               into cross: UnsafeMutableBufferPointer<Int32>) {
        let s = Int32(truncatingIfNeeded: shift)
        let half: Int32 = shift > 0 ? 1 &<< (s &- 1) : 0
        for k in binLow...binHigh {
            let ur = u[2 * k], ui = u[2 * k + 1], vr = v[2 * k], vi = v[2 * k + 1]
            let re = ur &* vr &+ ui &* vi
            let im = ui &* vr &- ur &* vi
            cross[2 * k] = cross[2 * k] &+ ((re &+ half) &>> s)
            cross[2 * k + 1] = cross[2 * k + 1] &+ ((im &+ half) &>> s)
        }
    }

    /// Integer square root (floor), 16 iterations.
    @inlinable
    public static func isqrt(_ x: UInt32) -> UInt32 {
        var op = x
        var res: UInt32 = 0
        var one: UInt32 = 1 << 30
        while one > op { one >>= 2 }
        while one != 0 {
            if op >= res &+ one {
                op = op &- (res &+ one)
                res = (res >> 1) &+ one
            } else {
                res >>= 1
            }
            one >>= 2
        }
        return res
    }
}
