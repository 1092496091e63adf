// Calibration gain: exact Q27 scaling with half-up rounding, saturation.
import Testing
@testable import EarshotDSP

@Suite struct CalibrationGainTests {
    @Test(arguments: [1.0, 0.5, 0.316_227_766, 1.5, 2.0, 7.9])
    func exactScalingAndSaturation(gain: Double) {
        let g = CalibrationGain(gain: gain)
        let x: [Int16] = [0, 1, -1, 2, -2, 3, -3, 100, -100, 12_345, -12_345, 16_384, -16_384, 32_767, -32_768]
            + FilterTestSignal.noise(count: 2_000, seed: 4)
        var y = [Int16](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { g.process(i, into: $0) } }
        // Reference: the Q27 gain applied in Double, rounded half up, clamped.
        let q27 = (gain * 134_217_728).rounded()
        for i in x.indices {
            let exact = (Double(Int(x[i])) * q27 / 134_217_728 + 0.5).rounded(.down)
            let ref = Int16(min(max(exact, -32_768), 32_767))
            #expect(y[i] == ref, "gain \(gain) x \(x[i]): \(y[i]) vs \(ref)")
        }
        if gain >= 1.5 {
            #expect(y[13] == Int16.max && y[14] == Int16.min)  // full scale saturates
        }
    }

    @Test func inPlaceEqualsOutOfPlace() {
        let g = CalibrationGain(gain: 1.234)
        let x = FilterTestSignal.noise(count: 1_000, seed: 8)
        var a = [Int16](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { i in a.withUnsafeMutableBufferPointer { g.process(i, into: $0) } }
        var b = x
        b.withUnsafeMutableBufferPointer { g.process(inPlace: $0) }
        #expect(a == b)
    }
}
