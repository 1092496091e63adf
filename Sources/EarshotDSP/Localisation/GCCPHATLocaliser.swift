// Direction of arrival by GCC-PHAT: per-channel fixed-point FFT, phase-only
// (PHAT) cross-spectra restricted to a band, inverse FFT per microphone pair,
// sub-sample peak by parabolic interpolation, then a weighted least-squares
// fit of a far-field direction to the pair delays using the array geometry.
//
// Per event only integer kernels and a few dozen Double operations run; all
// storage is caller-provided. Integer steps are bit-exact; the Double steps
// use only IEEE +, −, ×, ÷, √ and `DesignMath`, so results are identical on
// every target.

/// Settings of the localiser (configuration time).
public struct LocalisationConfig: Equatable, Sendable {
    /// Sample rate of the channel windows, Hz.
    public var sampleRate: Int32 = 48_000
    /// FFT size = window length, samples (power of two, 16 … 4096).
    public var fftSize: Int = 4096
    /// PHAT band: only bins in lowHz … highHz take part, Hz. Use the band
    /// where the event has energy (300–8000 Hz for most street events).
    public var bandLowHz: Double = 300
    public var bandHighHz: Double = 8000
    /// Speed of sound, m/s (343 at 20 °C).
    public var speedOfSoundMps: Double = 343

    public init() {}

    /// A config for `sampleRate` Hz with a window of `fftSize` samples.
    public init(sampleRate: Int32, fftSize: Int) {
        self.sampleRate = sampleRate
        self.fftSize = fftSize
    }
}

/// GCC-PHAT direction finder over caller-provided storage.
///
/// Storage (all allocated by the caller, once):
/// - twiddles: `FFTTwiddles.count(size:)` Int32, filled by `init`;
/// - workspace: `workspaceCount` Int32 per call of `locate`.
public struct GCCPHATLocaliser {
    /// The settings.
    public let config: LocalisationConfig
    /// The microphone array.
    public let geometry: MicArrayGeometry
    /// First and last FFT bin of the PHAT band.
    public let binLow: Int
    public let binHigh: Int
    @usableFromInline let twiddles: UnsafeBufferPointer<Int32>

    /// Int32 values of workspace `locate` needs: (channels + 1) · fftSize.
    public var workspaceCount: Int { (geometry.count + 1) * config.fftSize }

    /// Designs the twiddles into `twiddleStorage` (count ≥ fftSize) and
    /// keeps a reference to it. Configuration time only.
    public init(config: LocalisationConfig, geometry: MicArrayGeometry,
                twiddleStorage: UnsafeMutableBufferPointer<Int32>) {
        precondition(FFTTwiddles.isSupported(size: config.fftSize), "fftSize must be a power of two in 16…4096")
        self.config = config
        self.geometry = geometry
        FFTTwiddles.design(size: config.fftSize, into: twiddleStorage)
        self.twiddles = UnsafeBufferPointer(twiddleStorage)
        let n = Double(config.fftSize)
        let fs = Double(Int(config.sampleRate))
        let half = config.fftSize / 2
        let lo = Int((config.bandLowHz * n / fs).rounded(.up))
        let hi = Int((config.bandHighHz * n / fs).rounded(.down))
        binLow = max(1, min(lo, half - 1))
        binHigh = max(binLow, min(hi, half - 1))
    }

    /// Largest physically possible delay of pair (i, j), samples, plus one.
    public func maxLag(_ i: Int, _ j: Int) -> Int {
        let d = geometry.position(j) - geometry.position(i)
        let metres = (d * d).sum().squareRoot()
        return Int((metres * Double(Int(config.sampleRate)) / config.speedOfSoundMps).rounded(.up)) + 1
    }

    /// Microphone pairs (i < j): count·(count − 1)/2.
    public var pairCount: Int { geometry.count * (geometry.count - 1) / 2 }

    /// Fewest FFT bins the background mask of `locateAveraged` keeps.
    public static let minMaskBins = 8

    /// Largest number of windows `locateAveraged` accepts.
    public static let maxSegments = 16

    /// Int32 values of workspace `locateAveraged` needs: (channels + pairs) · fftSize.
    public var averagedWorkspaceCount: Int { (geometry.count + pairCount) * config.fftSize }

    /// Direction of arrival from one window per channel.
    ///
    /// - Parameters:
    ///   - windows: Q15 samples, channel c at `windows[c·stride ..< c·stride + frames]`
    ///     (the onset window of every microphone, same start sample).
    ///   - stride: distance between channels in `windows`, samples.
    ///   - frames: samples per channel (≤ fftSize; the rest is zero).
    ///   - workspace: `workspaceCount` Int32 values, overwritten.
    public func locate(windows: UnsafeBufferPointer<Int16>, stride: Int, frames: Int,
                       workspace: UnsafeMutableBufferPointer<Int32>) -> BearingEstimate {
        let n = config.fftSize
        let m = geometry.count
        precondition(workspace.count >= workspaceCount, "localisation workspace too small")
        precondition(windows.count >= (m - 1) * stride + min(frames, n), "channel windows too short")
        // 1. Spectrum of every channel, reduced to unit phasors (Q14) in the band.
        var anyEnergy = false
        for c in 0..<m {
            let spectrum = UnsafeMutableBufferPointer(rebasing: workspace[(c * n)..<((c + 1) * n)])
            let input = UnsafeBufferPointer(rebasing: windows[(c * stride)..<(c * stride + min(frames, n))])
            _ = RealFFTQ31.forward(input, size: n, into: spectrum, twiddles: twiddles)
            if PhaseTransform.unitPhasors(spectrum, binLow: binLow, binHigh: binHigh) { anyEnergy = true }
        }
        guard anyEnergy else { return BearingEstimate() }
        // 2. Every pair: cross-spectrum into the scratch slot, then the fit.
        var result = fitPairs(workspace: workspace, accumulated: false, shift: 0, segments: 1, bins: binHigh - binLow + 1)
        result.bins = binHigh - binLow + 1
        return result
    }

    /// Direction of arrival of a sustained sound from `segments` windows per
    /// channel, `hop` samples apart: the PHAT cross-spectrum of every pair is
    /// averaged over the windows before the inverse FFT. A bin where the
    /// source dominates keeps the same phase difference from window to window
    /// and adds up; bins of noise and late reverberation change phase and
    /// average out (by about 1/√segments), so several windows beat one.
    ///
    /// With `noise` (windows of the same channels before the sound), only bins
    /// whose mean power over the sound's windows reaches `maskRatio` × their
    /// mean power before it take part; when fewer than `minMaskBins` do, the ratio is
    /// lowered by 1 dB steps (down to 1) until they do, else every bin takes part. Bins the sound
    /// does not raise above the background carry only the background's direction.
    ///
    /// - Parameters:
    ///   - windows: Q15 samples, channel c at `windows[c·stride ..< c·stride + (segments − 1)·hop + fftSize]`
    ///     (same start sample on every channel).
    ///   - stride: distance between channels in `windows`, samples.
    ///   - segments: windows averaged, 1 … `maxSegments`.
    ///   - hop: distance between window starts, samples (≥ 1).
    ///   - noise: nil, or Q15 background samples laid out like `windows` (channel c at
    ///     c·noiseStride, `noiseSegments` windows `hop` apart).
    ///   - binPower: with `noise`, fftSize Double values of scratch (per-bin powers), overwritten.
    ///   - maskRatio: power ratio (sound ÷ background) a bin needs to take part (2 = 3 dB).
    ///   - workspace: `averagedWorkspaceCount` Int32 values, overwritten.
    /// - Returns: the estimate; `segments` says how many windows were averaged,
    ///   `bins` how many FFT bins took part.
    public func locateAveraged(windows: UnsafeBufferPointer<Int16>, stride: Int, segments: Int, hop: Int,
                               noise: UnsafeBufferPointer<Int16>? = nil, noiseStride: Int = 0, noiseSegments: Int = 0,
                               binPower: UnsafeMutableBufferPointer<Double>? = nil, maskRatio: Double = 2,
                               workspace: UnsafeMutableBufferPointer<Int32>) -> BearingEstimate {
        let n = config.fftSize
        let m = geometry.count
        precondition(segments >= 1 && segments <= Self.maxSegments && hop >= 1, "segments must be in 1…16, hop ≥ 1")
        precondition(workspace.count >= averagedWorkspaceCount, "averaged localisation workspace too small")
        precondition(windows.count >= (m - 1) * stride + (segments - 1) * hop + n, "channel windows too short")
        let masking = noise != nil && noiseSegments > 0 && binPower != nil
        if masking {
            precondition(binPower!.count >= n, "binPower needs fftSize values")
            precondition(noise!.count >= (m - 1) * noiseStride + (noiseSegments - 1) * hop + n, "noise windows too short")
            for k in 0..<n { binPower![k] = 0 }
            // Background power per bin in binPower[n/2 + k].
            for s in 0..<noiseSegments {
                for c in 0..<m {
                    let spectrum = UnsafeMutableBufferPointer(rebasing: workspace[(c * n)..<((c + 1) * n)])
                    let from = c * noiseStride + s * hop
                    let e = RealFFTQ31.forward(UnsafeBufferPointer(rebasing: noise![from..<(from + n)]), size: n,
                                               into: spectrum, twiddles: twiddles)
                    addPower(spectrum, exponent: e, into: binPower!, offset: n / 2)
                }
            }
        }
        // Products of two Q14 phasors are ≤ 2^28; shifting each by ⌈log2 segments⌉
        // keeps the sum of up to 16 within Int32.
        var shift = 0
        while (1 << shift) < segments { shift += 1 }
        let accumulators = UnsafeMutableBufferPointer(rebasing: workspace[(m * n)..<((m + pairCount) * n)])
        for i in 0..<accumulators.count { accumulators[i] = 0 }
        var anyEnergy = false
        for s in 0..<segments {
            for c in 0..<m {
                let spectrum = UnsafeMutableBufferPointer(rebasing: workspace[(c * n)..<((c + 1) * n)])
                let from = c * stride + s * hop
                let input = UnsafeBufferPointer(rebasing: windows[from..<(from + n)])
                let e = RealFFTQ31.forward(input, size: n, into: spectrum, twiddles: twiddles)
                if masking { addPower(spectrum, exponent: e, into: binPower!, offset: 0) }
                if PhaseTransform.unitPhasors(spectrum, binLow: binLow, binHigh: binHigh) { anyEnergy = true }
            }
            var p = 0
            for i in 0..<m {
                for j in (i + 1)..<m where j < m {
                    let ui = UnsafeBufferPointer(rebasing: workspace[(i * n)..<((i + 1) * n)])
                    let uj = UnsafeBufferPointer(rebasing: workspace[(j * n)..<((j + 1) * n)])
                    let acc = UnsafeMutableBufferPointer(rebasing: accumulators[(p * n)..<((p + 1) * n)])
                    PhaseTransform.accumulateCrossSpectrum(ui, uj, binLow: binLow, binHigh: binHigh,
                                                           shift: shift, into: acc)
                    p += 1
                }
            }
        }
        guard anyEnergy else { return BearingEstimate() }
        var bins = binHigh - binLow + 1
        if masking {
            // The ratio is lowered by 1 dB steps until at least minMaskBins pass
            // (a faint sound stands only a few dB above the background), but not below 1.
            let power = binPower!
            var ratio = maskRatio
            var kept = 0
            while true {
                let scale = ratio * Double(segments) / Double(noiseSegments)
                kept = 0
                for k in binLow...binHigh where power[k] >= scale * power[n / 2 + k] { kept += 1 }
                if kept >= Self.minMaskBins || ratio * 0.794_328_234_724_281_5 < 1 { break }
                ratio *= 0.794_328_234_724_281_5   // −1 dB
            }
            let scale = ratio * Double(segments) / Double(noiseSegments)
            if kept >= Self.minMaskBins {
                for k in binLow...binHigh where power[k] < scale * power[n / 2 + k] {
                    for p in 0..<pairCount {
                        accumulators[p * n + 2 * k] = 0
                        accumulators[p * n + 2 * k + 1] = 0
                    }
                }
                bins = kept
            }
        }
        var result = fitPairs(workspace: workspace, accumulated: true, shift: shift, segments: segments, bins: bins)
        result.bins = bins
        return result
    }

    /// Adds |X[k]|² (k in the band; X = stored · 2^exponent) to power[offset + k].
    func addPower(_ spectrum: UnsafeMutableBufferPointer<Int32>, exponent: Int,
                  into power: UnsafeMutableBufferPointer<Double>, offset: Int) {
        let scale = Self.pow2(2 * exponent)
        for k in binLow...binHigh {
            let re = Double(Int(spectrum[2 * k])), im = Double(Int(spectrum[2 * k + 1]))
            power[offset + k] += (re * re + im * im) * scale
        }
    }

    /// Steps 2–4 for spectra already in `workspace` (`binCount` bins of the band in use): per pair, the cross-spectrum
    /// (computed into slot `count` from the unit phasors in slots 0…count−1, or
    /// accumulated in slot count + pair), inverse FFT, peak; then the
    /// least-squares direction and its misfit. Cross-spectrum values are
    /// Q(28 − shift), summed over `segments` windows.
    func fitPairs(workspace: UnsafeMutableBufferPointer<Int32>, accumulated: Bool, shift: Int,
                  segments: Int, bins binCount: Int) -> BearingEstimate {
        let n = config.fftSize
        let m = geometry.count
        var result = BearingEstimate()
        let bins = Double(binCount)
        let fs = Double(Int(config.sampleRate))
        var normal = Normal3()
        var delays = SIMD32<Double>()
        var weights = SIMD32<Double>()
        var p = 0
        var coherenceSum = 0.0
        for i in 0..<m {
            for j in (i + 1)..<m where j < m {
                let slot = accumulated ? m + p : m
                let cross = UnsafeMutableBufferPointer(rebasing: workspace[(slot * n)..<((slot + 1) * n)])
                if !accumulated {
                    let ui = UnsafeBufferPointer(rebasing: workspace[(i * n)..<((i + 1) * n)])
                    let uj = UnsafeBufferPointer(rebasing: workspace[(j * n)..<((j + 1) * n)])
                    PhaseTransform.crossSpectrum(ui, uj, binLow: binLow, binHigh: binHigh, into: cross)
                }
                let e = RealFFTQ31.inverse(cross, size: n, twiddles: twiddles)
                let peak = CorrelationPeak.find(UnsafeBufferPointer(cross), size: n, maxLag: maxLag(i, j))
                // Perfectly coherent channels read segments·bins·2^(28 − shift) at the peak.
                let height = max(0, min(1, peak.value * Self.pow2(e - 28 + shift) / (bins * Double(segments))))
                let d = geometry.position(j) - geometry.position(i)
                let metres = peak.lag / fs * config.speedOfSoundMps
                let w = max(height, 1e-3)
                normal.add(d, metres, weight: w)
                delays[p] = peak.lag
                weights[p] = w
                coherenceSum += height
                p += 1
            }
        }
        result.pairs = p
        result.segments = segments
        result.coherence = coherenceSum / Double(p)
        // 3. Weighted least squares: (p_j − p_i)·u = c·τ_ij.
        let u = normal.solve(geometry)
        result.azimuthDeg = Self.degrees(DesignMath.atan2(u.y, u.x))
        if result.azimuthDeg < 0 { result.azimuthDeg += 360 }
        if result.azimuthDeg >= 360 { result.azimuthDeg -= 360 }
        if geometry.resolution == .volume {
            let horizontal = (u.x * u.x + u.y * u.y).squareRoot()
            result.elevationDeg = Self.degrees(DesignMath.atan2(u.z, horizontal))
        }
        // 4. Misfit of the fitted direction, samples.
        var sq = 0.0, ws = 0.0
        p = 0
        for i in 0..<m {
            for j in (i + 1)..<m where j < m {
                let d = geometry.position(j) - geometry.position(i)
                let fitted = (d * u).sum() / config.speedOfSoundMps * fs
                let r = fitted - delays[p]
                sq += weights[p] * r * r
                ws += weights[p]
                p += 1
            }
        }
        result.residualSamples = (sq / ws).squareRoot()
        result.confidence = result.coherence / (1 + result.residualSamples * result.residualSamples)
        result.valid = true
        return result
    }

    @inlinable static func degrees(_ radians: Double) -> Double { radians * 180 / DesignMath.pi }

    /// 2^e for small |e| without libm.
    @inlinable static func pow2(_ e: Int) -> Double {
        var r = 1.0
        var k = e
        while k > 0 { r *= 2; k -= 1 }
        while k < 0 { r *= 0.5; k += 1 }
        return r
    }
}
