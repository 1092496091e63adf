// `earshot devices`: the ALSA capture devices a board file can name.
import EarshotAudio

/// Exit statuses of `earshot devices`.
public enum DevicesExit {
    /// At least one capture device listed.
    public static let found: Int32 = 0
    /// No capture device.
    public static let none: Int32 = 3
}

/// Formats `hints` (name, description; from `alsaCaptureDeviceHints()`) for people or, with `json`, as
/// one JSON object `{"devices":[{"name":…,"description":…}],"probed":false}`.
/// Rates, formats and channel counts are not probed: EarshotAudio exposes no
/// `snd_pcm_hw_params_test_*` query yet (only the hints), and the text says so.
public func devicesReport(hints: [(name: String, description: String)], json: Bool) -> DiagnosticOutput {
    if json {
        let items = hints.map { "{\"name\":\(jsonString($0.name)),\"description\":\(jsonString($0.description))}" }
        return DiagnosticOutput(lines: ["{\"devices\":[" + items.joined(separator: ",") + "],\"probed\":false}"],
                                exitCode: hints.isEmpty ? DevicesExit.none : DevicesExit.found)
    }
    if hints.isEmpty {
        return DiagnosticOutput(lines: [
            "no ALSA capture devices found — is a USB microphone plugged in? Check `arecord -l`, that the user is in the",
            "\"audio\" group, and that the sound card driver is loaded (`lsmod | grep snd`).",
        ], exitCode: DevicesExit.none)
    }
    var lines = ["ALSA capture devices (put the name in the board file's [audio] device):"]
    for h in hints {
        lines.append("  \(h.name)")
        if !h.description.isEmpty { lines.append("      \(h.description)") }
    }
    lines.append("(supported rates/formats/channels are not probed yet: EarshotAudio has no hw_params query; "
                 + "`earshot run` reports what the device negotiates)")
    return DiagnosticOutput(lines: lines, exitCode: DevicesExit.found)
}

/// `devicesReport` over this machine's ALSA hints.
public func devicesReportForThisMachine(json: Bool) -> DiagnosticOutput {
    devicesReport(hints: alsaCaptureDeviceHints().map { ($0.name, $0.description) }, json: json)
}
