// The learned decision stage's weights: a two-layer integer perceptron over
// the candidate features (CandidateFeatures). Fixed capacity, no references,
// Embedded-clean. Built on the host from the table file's "classifier" block
// (EarshotSignatures) or by `earshot learn --classifier`.
//
// Inference (all integer, identical bits on every platform):
//   z_i     = clamp((x_i − offset_i) · scale_i / 2^16, −127, 127)      Int8 range
//             (x_i in Q8.8 feature units; 32 LSB of z = one standard deviation)
//   acc_j   = bias1_j + Σ_i w1[j·F + i] · z_i                          Int32
//   h_j     = clamp(acc_j · hiddenMultiplier / 2^hiddenShift, 0, 127)  ReLU, Int8 range
//   logit_k = bias2_k + Σ_j w2[k·H + j] · h_j                          Int32
// Output 0 is "none" (not a sound the table reports); outputs 1 … C−1 are
// `classes[k]`. A candidate is reported as class k = argmax over 1 … C−1 when
// logit_k − logit_0 ≥ threshold_k (all in logit LSB; `logitUnit` LSB = 1.0).

import EarshotDSP

/// Weights and thresholds of the candidate classifier (see the file header for
/// the arithmetic). Dimensions: `featureCount` ≤ `maxFeatures` inputs,
/// `hiddenCount` ≤ `maxHidden` hidden units, `outputCount` ≤ `maxOutputs`
/// outputs including "none" at index 0.
public struct CandidateClassifier: Equatable, Sendable {
    /// Feature set this model was trained on ("features" in the file).
    public static let featureVersion = 1
    /// Inputs the feature extractor produces (fixed by `featureVersion`).
    public static let maxFeatures = CandidateFeatures.count
    /// Largest hidden layer.
    public static let maxHidden = 48
    /// Largest number of outputs ("none" + classes).
    public static let maxOutputs = 16

    /// Number of inputs (= `CandidateFeatures.count`).
    public var featureCount: Int = CandidateFeatures.count
    /// Hidden units (1 … maxHidden).
    public var hiddenCount: Int = 0
    /// Outputs including "none" (2 … maxOutputs).
    public var outputCount: Int = 0
    /// Class reported by output k (index 0, "none", is unused).
    public var classes = InlineArray<16, SoundClass>(repeating: .loudImpulse)
    /// Reporting kind per output (impulsive → one `.impulse` event; sustained → `.start` … `.end`).
    public var kinds = InlineArray<16, SignatureKind>(repeating: .impulsive)
    /// Per-feature offset, Q8.8 feature units.
    public var inputOffset = InlineArray<64, Int32>(repeating: 0)
    /// Per-feature scale, Q16 (z = (x − offset) · scale / 65 536); 0 ignores the feature.
    public var inputScale = InlineArray<64, Int32>(repeating: 0)
    /// Layer-1 weights, row-major [hidden][feature], −127 … 127.
    public var weights1 = InlineArray<3072, Int8>(repeating: 0)
    /// Layer-1 biases, in accumulator LSB.
    public var bias1 = InlineArray<48, Int32>(repeating: 0)
    /// Requantisation of the hidden layer: h = acc · multiplier / 2^shift.
    public var hiddenMultiplier: Int32 = 1
    /// See `hiddenMultiplier` (0 … 62).
    public var hiddenShift: Int32 = 0
    /// Layer-2 weights, row-major [output][hidden], −127 … 127.
    public var weights2 = InlineArray<768, Int8>(repeating: 0)
    /// Layer-2 biases, in logit LSB.
    public var bias2 = InlineArray<16, Int32>(repeating: 0)
    /// Logit LSB per 1.0 of logit (for confidence and the file's thresholds), > 0.
    public var logitUnit: Int32 = 1
    /// Per output, the margin over "none" needed to report, logit LSB.
    public var thresholds = InlineArray<16, Int32>(repeating: 0)
    /// When a candidate opens and closes.
    public var gate = CandidateGate()
    /// Goertzel bin frequencies (Hz) of the configuration the model was trained with;
    /// the engine leaves the stage off when its configuration differs.
    public var binHz = SIMD16<Float>(repeating: 0)

    /// An empty model (no outputs); `isUsable` is false.
    public init() {}

    /// The `binHz` a model needs to run with `config`: the configured bin
    /// frequencies below Nyquist, 0 for unused bins.
    public static func binHz(for config: AnalysisConfig) -> SIMD16<Float> {
        var out = SIMD16<Float>(repeating: 0)
        let nyquist = Float(Int(config.sampleRate)) / 2
        let n = Int(max(0, min(16, config.binCount)))
        for b in 0..<n where config.binFrequencies[b] > 0 && config.binFrequencies[b] < nyquist {
            out[b] = config.binFrequencies[b]
        }
        return out
    }

    /// A model that opens candidates but never reports: what tools use to
    /// collect candidate features (`DetectionEngine.lastCandidate`).
    public static func gateOnly(_ gate: CandidateGate = CandidateGate(), config: AnalysisConfig) -> CandidateClassifier {
        var m = CandidateClassifier()
        m.hiddenCount = 1
        m.outputCount = 2
        m.classes[1] = .loudImpulse
        m.thresholds[1] = Int32.max
        m.gate = gate
        m.binHz = binHz(for: config)
        return m
    }

    /// True when the dimensions describe a runnable model.
    public var isUsable: Bool {
        featureCount == CandidateFeatures.count && hiddenCount >= 1 && hiddenCount <= Self.maxHidden
            && outputCount >= 2 && outputCount <= Self.maxOutputs && logitUnit > 0
            && hiddenShift >= 0 && hiddenShift <= 62
    }

    public static func == (a: CandidateClassifier, b: CandidateClassifier) -> Bool {
        guard a.featureCount == b.featureCount, a.hiddenCount == b.hiddenCount, a.outputCount == b.outputCount,
              a.hiddenMultiplier == b.hiddenMultiplier, a.hiddenShift == b.hiddenShift,
              a.logitUnit == b.logitUnit, a.binHz == b.binHz, a.gate == b.gate else { return false }
        for k in 0..<a.outputCount {
            if a.classes[k] != b.classes[k] || a.kinds[k] != b.kinds[k] || a.bias2[k] != b.bias2[k]
                || a.thresholds[k] != b.thresholds[k] { return false }
        }
        for i in 0..<a.featureCount where a.inputOffset[i] != b.inputOffset[i] || a.inputScale[i] != b.inputScale[i] {
            return false
        }
        for j in 0..<a.hiddenCount where a.bias1[j] != b.bias1[j] { return false }
        for n in 0..<(a.hiddenCount * a.featureCount) where a.weights1[n] != b.weights1[n] { return false }
        for n in 0..<(a.outputCount * a.hiddenCount) where a.weights2[n] != b.weights2[n] { return false }
        return true
    }
}

/// The classifier's verdict on one candidate.
public struct CandidateVerdict: Equatable, Sendable {
    /// Winning output among the classes (1 … outputCount−1); 0 when the model has no class.
    public var output: Int = 0
    /// logit(output) − logit(none), logit LSB.
    public var margin: Int32 = 0
    /// True when `margin` ≥ the output's threshold.
    public var reported = false
    /// Confidence in [0, 1] as UInt16 (65 535 = 1.0): 0.5 at the threshold,
    /// +0.125 per logit above it.
    public var confidence: UInt16 = 0
    public init() {}
}

extension CandidateClassifier {
    /// Runs the network on `features` (Q8.8 feature units). Integer only; no allocation.
    public func classify(_ features: borrowing CandidateFeatures) -> CandidateVerdict {
        let logits = self.logits(features)
        var v = CandidateVerdict()
        guard outputCount >= 2 else { return v }
        var best = 1
        for k in 2..<outputCount where logits[k] > logits[best] { best = k }
        v.output = best
        v.margin = logits[best] &- logits[0]
        let excess = Widen.int64(v.margin) &- Widen.int64(thresholds[best])
        v.reported = excess >= 0
        let c = 32_768 &+ (excess &* 8_192) / Widen.int64(max(1, logitUnit))
        v.confidence = UInt16(truncatingIfNeeded: max(0, min(65_535, c)))
        return v
    }

    /// Logits of every output (for tools and tests), logit LSB.
    public func logits(_ features: borrowing CandidateFeatures) -> InlineArray<16, Int32> {
        var out = InlineArray<16, Int32>(repeating: 0)
        var z = InlineArray<64, Int32>(repeating: 0)
        for i in 0..<featureCount {
            let s = ((Widen.int64(features.values[i]) &- Widen.int64(inputOffset[i])) &* Widen.int64(inputScale[i])) &>> 16
            z[i] = Int32(truncatingIfNeeded: max(-127, min(127, s)))
        }
        let shift = Widen.int64(hiddenShift)
        let round: Int64 = hiddenShift > 0 ? Int64(1) &<< (shift &- 1) : 0
        var h = InlineArray<48, Int32>(repeating: 0)
        // Weights are read through spans: indexing the stored InlineArrays in the loops
        // copied the whole array per read (58 µs a call; 2 µs through spans, same logits).
        let w1 = weights1.span, w2 = weights2.span
        for j in 0..<hiddenCount {
            var acc = bias1[j]
            for i in 0..<featureCount { acc &+= Int32(w1[j &* featureCount &+ i]) &* z[i] }
            h[j] = Int32(truncatingIfNeeded: max(0, min(127, (Widen.product(acc, hiddenMultiplier) &+ round) &>> shift)))
        }
        for k in 0..<outputCount {
            var acc = bias2[k]
            for j in 0..<hiddenCount { acc &+= Int32(w2[k &* hiddenCount &+ j]) &* h[j] }
            out[k] = acc
        }
        return out
    }
}
