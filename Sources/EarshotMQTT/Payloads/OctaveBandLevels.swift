// Octave-band levels carried by events and telemetry.
import EarshotText

/// Levels of the 8 octave bands with nominal centres 63, 125, 250, 500, 1k,
/// 2k, 4k and 8 kHz (the lanes of `FeatureFrame.bandLevel`), in dB. A band not
/// measured (e.g. 8 kHz at a 16 kHz sample rate) holds NaN and is published as
/// `null`. Fixed storage: no heap.
public struct OctaveBandLevels: Sendable, Equatable {
    /// Number of bands.
    public static let count = 8
    /// Nominal centre frequencies in Hz, in lane order.
    public static let centresHz: (Int, Int, Int, Int, Int, Int, Int, Int) = (63, 125, 250, 500, 1000, 2000, 4000, 8000)

    /// Levels in dB (dBFS for events, dB SPL or dBFS for telemetry as the payload says); NaN = not measured.
    public var levels: SIMD8<Double>

    /// All bands not measured.
    public init() { levels = SIMD8(repeating: .nan) }

    /// Levels in lane order (63 Hz first).
    public init(_ levels: SIMD8<Double>) { self.levels = levels }

    /// Nominal centre of lane `index` (0…7) in Hz.
    public static func centreHz(_ index: Int) -> Int {
        withUnsafeBytes(of: centresHz) { $0.load(fromByteOffset: index * MemoryLayout<Int>.stride, as: Int.self) }
    }
}

extension JSONWriter {
    /// Writes `[l0, …, l7]` with one decimal (NaN → null).
    func bandArray(_ bands: OctaveBandLevels) {
        beginArray()
        for i in 0..<OctaveBandLevels.count { number(bands.levels[i], decimals: 1) }
        endArray()
    }

    /// Writes `[63, 125, …, 8000]`.
    func bandCentres() {
        beginArray()
        for i in 0..<OctaveBandLevels.count { int(OctaveBandLevels.centreHz(i)) }
        endArray()
    }
}
