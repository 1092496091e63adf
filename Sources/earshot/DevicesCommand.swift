import EarshotDiagnostics
import ArgumentParser
import EarshotAgent
import EarshotAudio

/// `earshot devices`: ALSA capture devices with what each accepts.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the ALSA capture devices and the rates, formats and channel counts each accepts.",
        discussion: """
            Each device is opened non-blocking, asked (snd_pcm_hw_params_test_*) which of 8000, 11025, \
            16000, 22050, 32000, 44100, 48000 Hz, S16_LE, S32_LE, S24_LE, FLOAT_LE and how many channels it \
            accepts, and closed at once. A device held by another program is listed as "busy". \
            Earshot's capture needs 16000 or 48000 Hz and S16_LE or S32_LE.

            Examples:
              earshot devices
              earshot devices --json
              earshot devices --device plughw:1,0 --device hw:CARD=Array,DEV=0
              earshot devices --no-probe

            ALSA's `null` PCM (zeros, any rate, any channel count) is not listed: it is no microphone. \
            A converting plugin (default, plug) accepts any channel count: listed as "N or more".

            Exit codes: 0 at least one capture device (every --device opened); 3 none found, or a \
            --device cannot be opened.
            """)

    @Flag(help: "One JSON object: {\"devices\":[{\"name\",\"description\",\"state\":\"ok|busy|error\",\"rates_hz\",\"formats\",\"channels_min\",\"channels_max\"}],\"probed\":true}.")
    var json = false

    @Flag(help: "List names only; do not open the devices.")
    var noProbe = false

    @Option(help: "Probe this PCM name instead of ALSA's list (repeatable).")
    var device: [String] = []

    func run() throws {
        let out: DiagnosticOutput
        if device.isEmpty {
            out = devicesReportForThisMachine(json: json, probe: !noProbe)
        } else {
            out = devicesReport(named: device, json: json, probe: !noProbe)
        }
        try finish(out)
    }
}
