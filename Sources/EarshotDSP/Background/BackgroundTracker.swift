// Slow background (noise-floor) estimate per band, by minimum statistics in
// the dB domain, and the SNR of each hop above it.

/// Per-band background level tracker: a smoothed level (one-pole in dB) whose
/// minimum over the last `riseSeconds` is the background. Input and output
/// are 8 lanes of Q8.8 dBFS per hop (`FeatureFrame.bandLevel` layout); one
/// `update` per hop.
///
/// **Behaviour.** The minimum runs over `subwindows` sub-windows of
/// riseSeconds/subwindows each (a ring of sub-window minima) plus the current
/// partial one, so it spans between riseSeconds and riseSeconds·(1 + 1/U).
/// A drop of the street level is followed at once (after the smoothing);
/// an event shorter than the span minus the smoothing decay (a 2 s horn with
/// riseSeconds = 10) never reaches the minimum; a lasting rise is followed
/// once the span holds only the new level: within riseSeconds·(1 + 1/U)
/// plus a few smoothing time constants. Like every minimum tracker it reads
/// slightly below the mean of a fluctuating level (bias ≈ −3 standard
/// deviations of the smoothed level: about −0.9 dB for a hop level
/// fluctuating by 2 dB RMS with 0.25 s smoothing at 10 ms hops).
///
/// **Formats.** Levels Q8.8 dB in Int16. Smoothed state Q8.24 dB in Int64
/// lanes (|state| ≤ 2^31); coefficient α = 1 − e^(−hop/τ) in Q15; product
/// ≤ 2^32·2^15 = 2^47. SNR = level − background, Q8.8 dB, saturated to Int16
/// (negative when the hop is quieter than the background).
public struct BackgroundTracker {
    /// Largest number of sub-windows.
    public static let maxSubwindows = 16

    /// Hops per sub-window.
    public let hopsPerSubwindow: Int
    /// Number of sub-windows U in the minimum's span.
    public let subwindows: Int

    @usableFromInline let alpha: Int64                       // Q15
    @usableFromInline var smoothed = SIMD8<Int64>(repeating: 0)  // Q8.24 dB
    @usableFromInline var started = false
    @usableFromInline var minima = InlineArray<16, SIMD8<Int16>>(repeating: SIMD8(repeating: Int16.max))
    @usableFromInline var current = SIMD8<Int16>(repeating: Int16.max)
    @usableFromInline var hopsInSubwindow = 0
    @usableFromInline var slot = 0
    @usableFromInline var estimate = SIMD8<Int16>(repeating: FeatureFrame.floor)
    /// Hops at the start whose levels follow the input without entering the minimum.
    public let warmupHops: Int
    @usableFromInline var hopsSeen = 0
    @usableFromInline var warmSum = SIMD8<Int64>(repeating: 0)  // Q8.24 dB, second half of the warm-up

    /// Designs the tracker (configuration time).
    /// - Parameters:
    ///   - hopSeconds: time between `update` calls, s (e.g. 0.01).
    ///   - riseSeconds: span of the minimum, s: how long a louder level must
    ///     last before it becomes the background (e.g. 10).
    ///   - smoothingSeconds: one-pole smoothing of the hop levels, s.
    ///   - subwindows: U, 2 … 16 (resolution of the span: riseSeconds/U).
    ///   - warmupSeconds: start-up time, s, during which the smoothed level follows
    ///     each hop's level and nothing enters the minimum (SNR reads 0); the
    ///     smoothing then starts from the mean level of the warm-up's second half. The band
    ///     filters and the level integrators read low while they fill: a first hop
    ///     seeded into the minimum stayed the background for `riseSeconds`, so low
    ///     bands read up to 30 dB above their real background for the first 10 s after
    ///     every start (and every file `earshot analyze` reads). With 0.2 s the worst
    ///     early excess is 0.64 dB at 16 kHz and 1.75 dB at 48 kHz (BackgroundStartupTests);
    ///     0.5 s also blinds the box for 0.5 s after a start (a horn at 0.3 s was reported
    ///     as a gunshot when the warm-up ended under it).
    public init(hopSeconds: Double, riseSeconds: Double = 10, smoothingSeconds: Double = 0.25,
                subwindows: Int = 8, warmupSeconds: Double = 0.2) {
        precondition(hopSeconds > 0, "BackgroundTracker: hopSeconds must be > 0")
        precondition(subwindows >= 2 && subwindows <= 16, "BackgroundTracker: subwindows must be 2…16")
        precondition(riseSeconds >= hopSeconds * Double(subwindows),
                     "BackgroundTracker: riseSeconds must hold at least one hop per sub-window")
        precondition(smoothingSeconds >= 0, "BackgroundTracker: smoothingSeconds must be ≥ 0")
        precondition(warmupSeconds >= 0, "BackgroundTracker: warmupSeconds must be ≥ 0")
        self.warmupHops = Int((warmupSeconds / hopSeconds).rounded())
        self.subwindows = subwindows
        self.hopsPerSubwindow = max(1, Int((riseSeconds / hopSeconds / Double(subwindows)).rounded()))
        let a = smoothingSeconds == 0 ? 1.0 : 1 - DesignMath.exp(-hopSeconds / smoothingSeconds)
        self.alpha = max(1, Int64((a * 32_768).rounded()))
    }

    /// Feeds one hop's levels (Q8.8 dBFS per lane) and returns the SNR per
    /// lane (level − background, Q8.8 dB). `background` is updated.
    @inlinable
    public mutating func update(_ levels: SIMD8<Int16>) -> SIMD8<Int16> {
        // Lane by lane with Widen (SIMD widening conversions of Int16 lanes
        // allocate on 32-bit Embedded targets), through pointers: indexing a
        // vector with a loop variable moves it through the stack per lane,
        // and the generic `pointwiseMin` is not specialised (a call per use).
        var input = levels
        var s = SIMD8<Int16>()
        var sm = smoothed
        let a = alpha
        let warming = hopsSeen < warmupHops
        let running = started && !warming
        withUnsafePointer(to: &input) { ip in
            withUnsafeMutablePointer(to: &sm) { mp in
                withUnsafeMutablePointer(to: &s) { sp in
                    let lv = UnsafeRawPointer(ip).assumingMemoryBound(to: Int16.self)
                    let m = UnsafeMutableRawPointer(mp).assumingMemoryBound(to: Int64.self)
                    let out = UnsafeMutableRawPointer(sp).assumingMemoryBound(to: Int16.self)
                    for k in 0..<8 {
                        let l = Widen.int64(lv[k]) &<< 16
                        let v = running ? m[k] &+ (((l &- m[k]) &* a &+ (1 &<< 14)) &>> 15) : l
                        m[k] = v
                        out[k] = Int16(truncatingIfNeeded: Int32(truncatingIfNeeded: (v &+ (1 &<< 15)) &>> 16))
                    }
                }
            }
        }
        smoothed = sm
        started = true
        if warming {
            // The smoothing starts from the mean of the warm-up's second half (the filters
            // have filled by then); one hop's level would put its fluctuation into the minimum.
            let first = warmupHops / 2
            if hopsSeen >= first {
                var sum = warmSum
                withUnsafeMutablePointer(to: &sum) { up in
                    withUnsafePointer(to: &sm) { mp in
                        let u = UnsafeMutableRawPointer(up).assumingMemoryBound(to: Int64.self)
                        let m = UnsafeRawPointer(mp).assumingMemoryBound(to: Int64.self)
                        for k in 0..<8 { u[k] = u[k] &+ m[k] }
                    }
                }
                warmSum = sum
                if hopsSeen &+ 1 == warmupHops {
                    let count = Widen.int64(warmupHops &- first)
                    withUnsafeMutablePointer(to: &sum) { up in
                        let u = UnsafeMutableRawPointer(up).assumingMemoryBound(to: Int64.self)
                        for k in 0..<8 { u[k] = u[k] / count }
                    }
                    smoothed = sum
                }
            }
            hopsSeen &+= 1
            estimate = s
            return SIMD8<Int16>(repeating: 0)
        }
        current = Self.minimum(current, s)
        hopsInSubwindow &+= 1
        if hopsInSubwindow == hopsPerSubwindow {
            minima[slot] = current
            slot = slot &+ 1 == subwindows ? 0 : slot &+ 1
            current = SIMD8(repeating: Int16.max)
            hopsInSubwindow = 0
        }
        var b = current
        for k in 0..<subwindows { b = Self.minimum(b, minima[k]) }
        // Right after a sub-window closes `current` is empty: b is then the
        // minimum of the ring alone, which includes the value just stored.
        estimate = b
        var snr = SIMD8<Int16>()
        withUnsafePointer(to: &input) { ip in
            withUnsafePointer(to: &b) { bp in
                withUnsafeMutablePointer(to: &snr) { sp in
                    let lv = UnsafeRawPointer(ip).assumingMemoryBound(to: Int16.self)
                    let bg = UnsafeRawPointer(bp).assumingMemoryBound(to: Int16.self)
                    let out = UnsafeMutableRawPointer(sp).assumingMemoryBound(to: Int16.self)
                    for k in 0..<8 { out[k] = Saturate.toInt16(Int32(lv[k]) &- Int32(bg[k])) }
                }
            }
        }
        return snr
    }

    /// Lane-wise minimum (a pointer loop the optimiser turns into one
    /// vector min; the stdlib's generic `pointwiseMin` stays a call).
    @inlinable @inline(__always)
    static func minimum(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD8<Int16> {
        var x = a, y = b
        withUnsafeMutablePointer(to: &x) { xp in
            withUnsafePointer(to: &y) { yp in
                let u = UnsafeMutableRawPointer(xp).assumingMemoryBound(to: Int16.self)
                let v = UnsafeRawPointer(yp).assumingMemoryBound(to: Int16.self)
                for k in 0..<8 where v[k] < u[k] { u[k] = v[k] }
            }
        }
        return x
    }

    /// Background per lane after the latest `update`, Q8.8 dBFS
    /// (`FeatureFrame.floor` before the first).
    @inlinable public var background: SIMD8<Int16> { estimate }
}

/// `BackgroundTracker` for one level (e.g. broadband `levelZ`), on lane 0.
public struct ScalarBackgroundTracker {
    @usableFromInline var tracker: BackgroundTracker

    /// Same parameters as `BackgroundTracker.init`.
    public init(hopSeconds: Double, riseSeconds: Double = 10, smoothingSeconds: Double = 0.25,
                subwindows: Int = 8, warmupSeconds: Double = 0.2) {
        tracker = BackgroundTracker(hopSeconds: hopSeconds, riseSeconds: riseSeconds,
                                    smoothingSeconds: smoothingSeconds, subwindows: subwindows,
                                    warmupSeconds: warmupSeconds)
    }

    /// Feeds one hop's level (Q8.8 dBFS); returns level − background (Q8.8 dB).
    @inlinable
    public mutating func update(_ level: Int16) -> Int16 {
        tracker.update(SIMD8(repeating: level))[0]
    }

    /// Background after the latest `update`, Q8.8 dBFS.
    @inlinable public var background: Int16 { tracker.background[0] }
}
