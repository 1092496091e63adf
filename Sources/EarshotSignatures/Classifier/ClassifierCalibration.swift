// Sets the classifier's per-class thresholds from background recordings it
// did not train on: the false-alarm budget (per hour, in total) is shared
// equally by the classes, and each class's threshold is the lowest margin over
// "none" (in logits, at least `floorLogits`) at which its false alarms on that
// background stay within its share.
import EarshotDetection

/// Threshold calibration of `CandidateClassifier`.
public enum ClassifierCalibration {
    /// The lowest threshold allowed, logits.
    public static let floorLogits = 0.0

    /// Sets `model.thresholds` (outputs 1…) from `background` candidates spanning `hours`.
    public static func setThresholds(_ model: inout CandidateClassifier, background: [CandidateFeatures],
                                     hours: Double, allowPerHour: Double) {
        let classes = model.outputCount - 1
        guard classes > 0 else { return }
        var margins = [[Int32]](repeating: [], count: model.outputCount)
        var probe = model
        for k in 0..<probe.outputCount { probe.thresholds[k] = Int32.min / 2 }
        for f in background {
            let v = probe.classify(f)
            margins[v.output].append(v.margin)
        }
        let share = allowPerHour * hours / Double(classes)
        let allowed = Int(share.rounded(.down))
        let floor = Int32((floorLogits * Double(model.logitUnit)).rounded())
        for k in 1..<model.outputCount {
            let sorted = margins[k].sorted(by: >)
            // Keep the `allowed` largest margins as false alarms; stay just above the next one.
            let t = allowed < sorted.count ? sorted[allowed] &+ 1 : floor
            model.thresholds[k] = max(floor, t)
        }
    }
}
