// Feature frames → events. Embedded-clean like EarshotDSP. (Detection issue.)
import EarshotDSP

/// Namespace placeholder until the detector lands; see the detection issue.
public enum EarshotDetectionInfo {
    /// Version of the signature-table schema this detector reads.
    public static let tableSchemaVersion = 1
}
