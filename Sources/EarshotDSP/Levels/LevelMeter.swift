// Window statistics of hop levels: Leq, Lmax, Lmin and percentile levels.

/// Levels of one window, Q8.8 dBFS (AES17: a full-scale sine is 0 dBFS).
public struct LevelReport: Equatable, Sendable {
    /// Energy-averaged level over the window.
    public var leq: Int32
    /// Highest and lowest hop level.
    public var lmax: Int32
    public var lmin: Int32
    /// Level exceeded during 10 %, 50 %, 90 % of the hops (0.25 dB bins, bin centre).
    public var l10: Int32
    public var l50: Int32
    public var l90: Int32
    /// Number of hops in the window.
    public var hops: Int32

    public init(leq: Int32, lmax: Int32, lmin: Int32, l10: Int32, l50: Int32, l90: Int32, hops: Int32) {
        self.leq = leq; self.lmax = lmax; self.lmin = lmin
        self.l10 = l10; self.l50 = l50; self.l90 = l90; self.hops = hops
    }
}

/// Accumulates hops into Leq (energy mean), Lmax, Lmin and L10/L50/L90.
///
/// Per hop: its energy Σx² (Q30 units of Q15 samples), its sample count, and
/// its level in Q8.8 dBFS. Percentiles come from a fixed histogram of
/// 0.25 dB bins over −120 … +10 dBFS (`InlineArray`, no heap); levels
/// outside clamp to the end bins. Integer arithmetic only.
public struct LevelMeter {
    /// Histogram bin width, Q8.8 dB (0.25 dB).
    public static let binWidthQ8_8: Int32 = 64
    /// Lowest histogram edge, Q8.8 dBFS (−120 dB).
    public static let lowestQ8_8: Int32 = -120 * 256
    /// Number of bins (−120 … +10 dBFS).
    public static let binCount = 520

    @usableFromInline var histogram = InlineArray<520, UInt32>(repeating: 0)
    @usableFromInline var energy: UInt64 = 0
    @usableFromInline var samples: UInt64 = 0
    @usableFromInline var hops: Int32 = 0
    @usableFromInline var maxLevel: Int32 = Decibel.floorQ8_8
    @usableFromInline var minLevel: Int32 = Int32.max

    /// An empty window.
    public init() {}

    /// Adds one hop: `energy` Σx² (Q30), `sampleCount` samples, `levelQ8_8` dBFS.
    @inlinable
    public mutating func add(energy hopEnergy: UInt64, sampleCount: Int32, levelQ8_8: Int32) {
        energy &+= hopEnergy
        samples &+= Widen.uint64(UInt32(truncatingIfNeeded: sampleCount))
        hops &+= 1
        if levelQ8_8 > maxLevel { maxLevel = levelQ8_8 }
        if levelQ8_8 < minLevel { minLevel = levelQ8_8 }
        var bin = Int((levelQ8_8 &- Self.lowestQ8_8) / Self.binWidthQ8_8)
        if levelQ8_8 < Self.lowestQ8_8 { bin = 0 }
        if bin >= Self.binCount { bin = Self.binCount - 1 }
        histogram[bin] &+= 1
    }

    /// The window's statistics (all Q8.8 dBFS). An empty window reports
    /// `Decibel.floorQ8_8` everywhere.
    public func report() -> LevelReport {
        let floor = Decibel.floorQ8_8
        if hops == 0 { return LevelReport(leq: floor, lmax: floor, lmin: floor, l10: floor, l50: floor, l90: floor, hops: 0) }
        // Leq = 10·log10(Σx² / (N · 2^29)): 2^29 is a full-scale sine's mean square.
        let leq = energy == 0 ? floor : Decibel.powerQ8_8(energy) &- Decibel.powerQ8_8(samples &<< 29)
        return LevelReport(leq: leq, lmax: maxLevel, lmin: minLevel,
                           l10: percentile(exceededPercent: 10), l50: percentile(exceededPercent: 50),
                           l90: percentile(exceededPercent: 90), hops: hops)
    }

    /// Level exceeded by `exceededPercent` % of the hops: the centre of the
    /// bin where the count from the top first reaches that share.
    func percentile(exceededPercent: Int32) -> Int32 {
        let need = (Widen.int64(hops) &* Widen.int64(exceededPercent) &+ 99) / 100
        var seen: Int64 = 0
        var bin = Self.binCount - 1
        while bin > 0 {
            seen &+= Int64(bitPattern: Widen.uint64(histogram[bin]))
            if seen >= max(need, 1) { break }
            bin -= 1
        }
        return Self.lowestQ8_8 &+ Int32(truncatingIfNeeded: bin) &* Self.binWidthQ8_8 &+ Self.binWidthQ8_8 / 2
    }

    /// Starts a new, empty window.
    public mutating func reset() { self = LevelMeter() }
}
