// Trains the learned stage (host only, Double arithmetic, deterministic for a
// seed): a 64 → hidden → classes+1 perceptron with ReLU, softmax cross-entropy
// weighted so every class counts as much as "none", Adam, L2. Then quantises it
// to the integer model CandidateClassifier runs (see its file header):
//   inputs   z = clamp((x − μ)·scale/2^16, ±127), scale = 32·2^16/σ (32 LSB = 1 σ;
//            σ < 1/256 dB → scale 0: a feature that never varies is ignored);
//            training sees exactly these integers / 32;
//   layer 1  w1 = round(W1·a1), a1 = 127/max|W1|; bias1 = round(b1·a1·32);
//   hidden   h = acc·a_h/(a1·32) with a_h = 127 / (99.9th percentile of the float
//            activations), as multiplier/2^shift with a 15…30-bit multiplier;
//   layer 2  w2 = round(W2·a2), a2 = 127/max|W2|; bias2 = round(b2·a2·a_h);
//            logit_unit = a2·a_h.
// Thresholds come from `ClassifierCalibration` on recordings it did not train on.
import EarshotDSP
import EarshotDetection
#if canImport(Glibc)
import Glibc
#endif

/// One training example: the candidate's features (Q8.8 units) and its output index
/// (0 = none, k = classes[k]).
public struct ClassifierExample: Sendable {
    public var features: [Double]
    public var label: Int
    public init(features: [Double], label: Int) { self.features = features; self.label = label }
    public init(_ f: CandidateFeatures, label: Int) {
        self.features = (0..<CandidateFeatures.count).map { Double(f.values[$0]) }
        self.label = label
    }
}

/// Hyper-parameters of `ClassifierTrainer`.
public struct ClassifierTrainingOptions: Sendable {
    /// Hidden units (1 … CandidateClassifier.maxHidden).
    public var hidden = 32
    /// Passes over the data.
    public var epochs = 60
    /// Adam step size.
    public var learningRate = 0.003
    /// L2 penalty per weight.
    public var l2 = 0.0005
    /// Examples per step.
    public var batch = 64
    /// Seed of the initial weights and the shuffles.
    public var seed: UInt64 = 14
    public init() {}
}


/// Trains and quantises the candidate classifier.
public enum ClassifierTrainer {
    /// Trains on `examples`; `classes`/`kinds` name outputs 1…; index 0 is "none".
    /// The returned model has thresholds 0 (calibrate before use).
    public static func train(_ examples: [ClassifierExample], classes: [SoundClass], kinds: [SignatureKind],
                             binHz: SIMD16<Float>, gate: CandidateGate,
                             options: ClassifierTrainingOptions) -> CandidateClassifier {
        let f = CandidateFeatures.count
        let o = classes.count + 1
        let h = max(1, min(CandidateClassifier.maxHidden, options.hidden))
        precondition(o <= CandidateClassifier.maxOutputs && !examples.isEmpty)
        var model = CandidateClassifier()
        model.hiddenCount = h
        model.outputCount = o
        for k in 1..<o { model.classes[k] = classes[k - 1]; model.kinds[k] = kinds[k - 1] }
        model.binHz = binHz
        model.gate = gate

        // Input standardisation, integer as at inference.
        for i in 0..<f {
            let xs = examples.map { $0.features[i] }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
            let sigma = variance.squareRoot()
            model.inputOffset[i] = Int32(mean.rounded())
            model.inputScale[i] = sigma < 1 ? 0 : Int32(min(100_000_000, (32 * 65_536 / sigma).rounded()))
        }
        let inputs = examples.map { standardised($0.features, model) }
        let labels = examples.map { $0.label }

        var counts = [Double](repeating: 0, count: o)
        for l in labels { counts[l] += 1 }
        let classWeight = counts.map { $0 > 0 ? Double(labels.count) / (Double(o) * $0) : 0 }

        var rng = SplitMix64(state: options.seed)
        var net = Perceptron(inputs: f, hidden: h, outputs: o, rng: &rng)
        var order = Array(0..<inputs.count)
        for epoch in 0..<options.epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
            let rate = options.learningRate * (epoch < options.epochs / 2 ? 1 : 0.3)
            var start = 0
            while start < order.count {
                let end = min(order.count, start + options.batch)
                net.step(order[start..<end].map { (inputs[$0], labels[$0], classWeight[labels[$0]]) },
                         rate: rate, l2: options.l2)
                start = end
            }
        }
        quantise(net, into: &model, inputs: inputs)
        return model
    }

    /// z / 32 exactly as `CandidateClassifier` computes z.
    static func standardised(_ x: [Double], _ m: CandidateClassifier) -> [Double] {
        (0..<CandidateFeatures.count).map { i in
            let d = Int64(x[i].rounded()) &- Int64(m.inputOffset[i])
            let s = (d &* Int64(m.inputScale[i])) >> 16
            return Double(max(-127, min(127, s))) / 32
        }
    }

    static func quantise(_ net: Perceptron, into m: inout CandidateClassifier, inputs: [[Double]]) {
        let f = net.inputs, h = net.hidden, o = net.outputs
        let a1 = 127 / max(1e-9, net.w1.map { abs($0) }.max()!)
        for n in 0..<(h * f) { m.weights1[n] = Int8(max(-127, min(127, (net.w1[n] * a1).rounded()))) }
        for j in 0..<h { m.bias1[j] = Int32(max(-1e9, min(1e9, (net.b1[j] * a1 * 32).rounded()))) }
        var activations: [Double] = []
        activations.reserveCapacity(inputs.count * h)
        for x in inputs { activations.append(contentsOf: net.hiddenLayer(x)) }
        activations.sort()
        let top = activations.isEmpty ? 1 : max(1e-6, activations[min(activations.count - 1, Int(Double(activations.count) * 0.999))])
        let ah = 127 / top
        let ratio = ah / (a1 * 32)
        var shift = 0
        while shift < 62 && ratio * Double(1 << shift) < Double(1 << 30) / 2 { shift += 1 }
        m.hiddenShift = Int32(shift)
        m.hiddenMultiplier = Int32(max(1, min(Double(Int32.max), (ratio * Double(1 << shift)).rounded())))
        let a2 = 127 / max(1e-9, net.w2.map { abs($0) }.max()!)
        for n in 0..<(o * h) { m.weights2[n] = Int8(max(-127, min(127, (net.w2[n] * a2).rounded()))) }
        for k in 0..<o { m.bias2[k] = Int32(max(-1e9, min(1e9, (net.b2[k] * a2 * ah).rounded()))) }
        m.logitUnit = Int32(max(1, min(1e9, (a2 * ah).rounded())))
        for k in 0..<o { m.thresholds[k] = 0 }
    }
}

/// The float network being trained (host only).
struct Perceptron {
    let inputs: Int, hidden: Int, outputs: Int
    var w1: [Double], b1: [Double], w2: [Double], b2: [Double]
    var adam: [[Double]]          // m and v for w1, b1, w2, b2
    var beta1Power = 1.0, beta2Power = 1.0

    init(inputs: Int, hidden: Int, outputs: Int, rng: inout SplitMix64) {
        self.inputs = inputs; self.hidden = hidden; self.outputs = outputs
        let s1 = (6.0 / Double(inputs)).squareRoot(), s2 = (6.0 / Double(hidden)).squareRoot()
        w1 = (0..<(inputs * hidden)).map { _ in (rng.unit() * 2 - 1) * s1 }
        b1 = [Double](repeating: 0.01, count: hidden)
        w2 = (0..<(hidden * outputs)).map { _ in (rng.unit() * 2 - 1) * s2 * 0.5 }
        b2 = [Double](repeating: 0, count: outputs)
        adam = [w1, w1, b1, b1, w2, w2, b2, b2].map { [Double](repeating: 0, count: $0.count) }
    }

    func hiddenLayer(_ x: [Double]) -> [Double] {
        (0..<hidden).map { j in
            var a = b1[j]
            let row = j * inputs
            for i in 0..<inputs { a += w1[row + i] * x[i] }
            return max(0, a)
        }
    }

    func logits(_ hv: [Double]) -> [Double] {
        (0..<outputs).map { k in
            var a = b2[k]
            let row = k * hidden
            for j in 0..<hidden { a += w2[row + j] * hv[j] }
            return a
        }
    }

    /// One Adam step on a mini-batch of (input, label, weight).
    mutating func step(_ batch: [([Double], Int, Double)], rate: Double, l2: Double) {
        var g1 = [Double](repeating: 0, count: w1.count), gb1 = [Double](repeating: 0, count: b1.count)
        var g2 = [Double](repeating: 0, count: w2.count), gb2 = [Double](repeating: 0, count: b2.count)
        for (x, label, weight) in batch {
            let hv = hiddenLayer(x)
            let z = logits(hv)
            let top = z.max()!
            let e = z.map { ($0 - top) }.map { Glibc.exp($0) }
            let sum = e.reduce(0, +)
            var dz = e.map { $0 / sum * weight }
            dz[label] -= weight
            var dh = [Double](repeating: 0, count: hidden)
            for k in 0..<outputs {
                gb2[k] += dz[k]
                let row = k * hidden
                for j in 0..<hidden { g2[row + j] += dz[k] * hv[j]; dh[j] += dz[k] * w2[row + j] }
            }
            for j in 0..<hidden where hv[j] > 0 {
                gb1[j] += dh[j]
                let row = j * inputs
                for i in 0..<inputs { g1[row + i] += dh[j] * x[i] }
            }
        }
        let n = Double(batch.count)
        beta1Power *= 0.9
        beta2Power *= 0.999
        let c1 = 1 - beta1Power, c2 = 1 - beta2Power
        func update(_ p: inout [Double], _ g: [Double], _ slot: Int, decay: Bool) {
            let beta1 = 0.9, beta2 = 0.999
            for i in 0..<p.count {
                let gi = g[i] / n + (decay ? l2 * p[i] : 0)
                adam[slot][i] = beta1 * adam[slot][i] + (1 - beta1) * gi
                adam[slot + 1][i] = beta2 * adam[slot + 1][i] + (1 - beta2) * gi * gi
                p[i] -= rate * (adam[slot][i] / c1) / ((adam[slot + 1][i] / c2).squareRoot() + 1e-8)
            }
        }
        update(&w1, g1, 0, decay: true)
        update(&b1, gb1, 2, decay: false)
        update(&w2, g2, 4, decay: true)
        update(&b2, gb2, 6, decay: false)
    }
}

