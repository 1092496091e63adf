// `earshot devices`: the ALSA capture devices a board file can name, with what
// each accepts (rates, formats, channel counts) when probed.
import EarshotAudio
import EarshotText

/// Exit statuses of `earshot devices`.
public enum DevicesExit {
    /// At least one capture device listed.
    public static let found: Int32 = 0
    /// No capture device, or a device named with `--device` cannot be opened.
    public static let none: Int32 = 3
}

/// Channel counts above this are a converting plugin's "any", not a microphone's.
let devicesAnyChannels = 64

/// Formats `hints` (name, description; from `alsaCaptureDeviceHints()`) for people or, with `json`, as
/// one JSON object `{"devices":[{"name":…,"description":…}],"probed":false}` (no capability probe).
public func devicesReport(hints: [(name: String, description: String)], json: Bool) -> DiagnosticOutput {
    devicesReport(hints: hints, capabilities: nil, json: json)
}

/// Formats `hints` with, when `capabilities` is given (one per hint, same order), each
/// device's accepted rates (Hz), formats and channel range. JSON:
/// `{"devices":[{"name":…,"description":…,"state":"ok"|"busy"|"error","error":…,
/// "rates_hz":[…],"formats":[…],"channels_min":N,"channels_max":N}],"probed":true}`.
/// A busy or failing device is listed with its state; it does not change the exit code.
public func devicesReport(hints: [(name: String, description: String)], capabilities: [AlsaCaptureCapabilities]?,
                          json: Bool) -> DiagnosticOutput {
    let probed = capabilities != nil && capabilities!.count == hints.count
    let exit = hints.isEmpty ? DevicesExit.none : DevicesExit.found
    if json {
        return DiagnosticOutput(lines: [devicesJSON(hints: hints, capabilities: probed ? capabilities : nil)], exitCode: exit)
    }
    if hints.isEmpty {
        return DiagnosticOutput(lines: [
            "no ALSA capture devices found — is a USB microphone plugged in? Check `arecord -l`, that the user is in the",
            "\"audio\" group, and that the sound card driver is loaded (`lsmod | grep snd`).",
        ], exitCode: DevicesExit.none)
    }
    var lines = ["ALSA capture devices (put the name in the board file's [audio] device):"]
    for (i, h) in hints.enumerated() {
        lines.append("  \(h.name)")
        if !h.description.isEmpty { lines.append("      \(h.description)") }
        guard probed, let c = capabilities?[i] else { continue }
        switch c.outcome {
        case .probed:
            let ch = c.channelsMax > devicesAnyChannels ? "\(c.channelsMin) or more (a converting plugin)"
                : c.channelsMin == c.channelsMax ? "\(c.channelsMin)" : "\(c.channelsMin)…\(c.channelsMax)"
            let rates = c.rates.isEmpty ? "none of 8000…48000" : c.rates.map(String.init).joined(separator: " ")
            let formats = c.formats.isEmpty ? "none of S16_LE S32_LE S24_LE FLOAT_LE" : c.formats.joined(separator: " ")
            lines.append("      rates Hz: \(rates) | formats: \(formats) | channels: \(ch)")
            if !c.formats.contains("S16_LE") && !c.formats.contains("S32_LE") {
                lines.append("      (Earshot captures S16_LE or S32_LE: use the plughw: form of this device)")
            }
        case .busy:
            lines.append("      busy: another program holds it (check `fuser -v /dev/snd/*`); not probed")
        case .failed(let why):
            lines.append("      not probed: \(why)")
        }
    }
    if !probed {
        lines.append("(supported rates/formats/channels not probed)")
    }
    return DiagnosticOutput(lines: lines, exitCode: exit)
}

/// `devicesReport` for PCM names given on the command line (`--device`, probed unless
/// `probe` is false): exit 3 when a named device cannot be opened (absent, no such card),
/// with a hint; a busy one exists and does not change the exit code.
public func devicesReport(named devices: [String], json: Bool, probe: Bool = true) -> DiagnosticOutput {
    let caps = probe ? devices.map(probeCaptureCapabilities) : nil
    var out = devicesReport(hints: devices.map { ($0, "") }, capabilities: caps, json: json)
    let failed = (caps ?? []).filter { if case .failed = $0.outcome { return true } else { return false } }.map(\.device)
    if !failed.isEmpty {
        out.exitCode = DevicesExit.none
        if !json { out.lines.append("cannot open \(failed.joined(separator: ", ")): not a capture device on this machine (`earshot devices` lists them)") }
    }
    return out
}

/// `devicesReport` over this machine's ALSA hints, each device probed
/// (non-blocking open, closed at once) unless `probe` is false.
public func devicesReportForThisMachine(json: Bool, probe: Bool = true) -> DiagnosticOutput {
    let hints = alsaCaptureDeviceHints()
    let caps = probe ? hints.map { probeCaptureCapabilities($0.name) } : nil
    return devicesReport(hints: hints.map { ($0.name, $0.description) }, capabilities: caps, json: json)
}

/// The one line of `earshot devices --json` (see `devicesReport`); `capabilities`, when given,
/// has one entry per hint. Rates in Hz; `channels_max` is null for a converting plugin's "any".
func devicesJSON(hints: [(name: String, description: String)], capabilities: [AlsaCaptureCapabilities]?) -> String {
    var capacity = 64
    for (i, h) in hints.enumerated() {
        capacity += 256 + JSONWriter.maxStringBytes(h.name) + JSONWriter.maxStringBytes(h.description)
        guard let c = capabilities?[i] else { continue }
        capacity += JSONWriter.maxNumberBytes * c.rates.count + c.formats.reduce(0) { $0 + 1 + JSONWriter.maxStringBytes($1) }
        if case .failed(let why) = c.outcome { capacity += JSONWriter.maxStringBytes(why) }
    }
    return JSONWriter.document(capacity: capacity) { w in
        w.beginObject()
        w.key("devices"); w.beginArray()
        for (i, h) in hints.enumerated() {
            w.beginObject()
            w.key("name"); w.string(h.name)
            w.key("description"); w.string(h.description)
            if let c = capabilities?[i] {
                switch c.outcome {
                case .probed:
                    w.key("state"); w.string("ok")
                    w.key("rates_hz"); w.beginArray()
                    for r in c.rates { w.int(r) }
                    w.endArray()
                    w.key("formats"); w.beginArray()
                    for f in c.formats { w.string(f) }
                    w.endArray()
                    w.key("channels_min"); w.int(c.channelsMin)
                    w.key("channels_max"); if c.channelsMax > devicesAnyChannels { w.null() } else { w.int(c.channelsMax) }
                case .busy:
                    w.key("state"); w.string("busy")
                case .failed(let why):
                    w.key("state"); w.string("error")
                    w.key("error"); w.string(why)
                }
            }
            w.endObject()
        }
        w.endArray()
        w.key("probed"); w.bool(capabilities != nil)
        w.endObject()
    }
}
