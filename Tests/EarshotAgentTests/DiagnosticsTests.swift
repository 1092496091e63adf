@testable import EarshotDiagnostics
@testable import EarshotAudio
import EarshotConfig
import EarshotAgent
import EarshotGPIO
import Foundation
import Testing

@Suite("technician diagnostics: devices, gpio")
struct DiagnosticsTests {
    static let board = BoardConfig(name: "test-box", audio: AudioSettings(),
                                   gpio: GPIOSettings(chip: "gpiochip0", wiring: .lines([.name("GPIO22"), .offset(23)]), pulseMs: 3))

    @Test("no capture device: the clear message and exit 3")
    func noDevices() {
        let out = devicesReport(hints: [], json: false)
        #expect(out.exitCode == 3)
        #expect(out.lines.first?.hasPrefix("no ALSA capture devices found — is a USB microphone plugged in?") == true)
        let json = devicesReport(hints: [], json: true)
        #expect(json.text == "{\"devices\":[],\"probed\":false}\n")
        #expect(json.exitCode == 3)
    }

    @Test("devices are listed with their descriptions; JSON escapes")
    func someDevices() {
        let hints = [(name: "hw:CARD=Array,DEV=0", description: "ReSpeaker \"4 mic\" — USB Audio")]
        let out = devicesReport(hints: hints, json: false)
        #expect(out.exitCode == 0)
        #expect(out.lines.contains("  hw:CARD=Array,DEV=0"))
        #expect(devicesReport(hints: hints, json: true).lines
                == ["{\"devices\":[{\"name\":\"hw:CARD=Array,DEV=0\",\"description\":\"ReSpeaker \\\"4 mic\\\" — USB Audio\"}],\"probed\":false}"])
    }

    /// One device of each probe outcome.
    static func probed(name: String, description: String, why: String) -> DiagnosticOutput {
        var ok = AlsaCaptureCapabilities(device: name, outcome: .probed)
        ok.rates = [16_000, 48_000]; ok.formats = ["S16_LE", "S32_LE"]; ok.channelsMin = 1; ok.channelsMax = 4
        var any = ok
        any.channelsMax = 1_024
        return devicesReport(hints: [(name, description), ("plug", ""), ("busy", "x"), ("gone", "")],
                             capabilities: [ok, any, AlsaCaptureCapabilities(device: "busy", outcome: .busy),
                                            AlsaCaptureCapabilities(device: "gone", outcome: .failed(why))], json: true)
    }

    @Test("devices --json: a name, description and error with a quote, a backslash and a newline parse")
    func devicesAwkwardNames() throws {
        let awkward = "hw:\"a\" \\ b\nc"
        let line = try #require(Self.probed(name: awkward, description: awkward, why: awkward).lines.first)
        #expect(!line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let devices = try #require(obj["devices"] as? [[String: Any]])
        #expect(devices.count == 4)
        #expect(devices[0]["name"] as? String == awkward && devices[0]["description"] as? String == awkward)
        #expect(devices[1]["channels_max"] is NSNull)
        #expect(devices[3]["error"] as? String == awkward)
        #expect(obj["probed"] as? Bool == true)
    }

    @Test("devices --json: probed devices give the same text as before JSONWriter")
    func devicesExactText() {
        #expect(Self.probed(name: "hw:CARD=Array,DEV=0", description: "ReSpeaker", why: "No such device").lines == [#"{"devices":[{"name":"hw:CARD=Array,DEV=0","description":"ReSpeaker","state":"ok","rates_hz":[16000,48000],"formats":["S16_LE","S32_LE"],"channels_min":1,"channels_max":4},{"name":"plug","description":"","state":"ok","rates_hz":[16000,48000],"formats":["S16_LE","S32_LE"],"channels_min":1,"channels_max":null},{"name":"busy","description":"x","state":"busy"},{"name":"gone","description":"","state":"error","error":"No such device"}],"probed":true}"#])
    }

    @Test("gpio --fake pulse: active then inactive on the named line only")
    func fakePulse() {
        let out = GPIODiagnostics(board: Self.board, fake: true).pulse(line: "23", ms: 2, chips: [])
        #expect(out.exitCode == 0)
        #expect(out.lines == ["pulsed line 23 for 2 ms", "  fake chip: line 23 → active (high)", "  fake chip: line 23 → inactive (low)"])
    }

    @Test("gpio --fake test: every line pulsed in sector order")
    func fakeTest() {
        let out = GPIODiagnostics(board: Self.board, fake: true).test(ms: 1, chips: [])
        #expect(out.exitCode == 0)
        let transitions = out.lines.filter { $0.contains("fake chip") }
        #expect(transitions == ["  fake chip: line \"GPIO22\" → active (high)", "  fake chip: line \"GPIO22\" → inactive (low)",
                                "  fake chip: line 23 → active (high)", "  fake chip: line 23 → inactive (low)"])
    }

    @Test("gpio on a machine without chips: clear message, exit 5; unknown line exit 2; board without [gpio] exit 2")
    func errors() {
        let real = GPIODiagnostics(board: Self.board, fake: false)
        let chips = GPIODiagnostics.chipsOnThisMachine()
        if chips.isEmpty {
            let out = real.test(ms: 1, chips: chips)
            #expect(out.exitCode == 5)
            #expect(out.lines.first?.hasPrefix("no GPIO chip found") == true)
            #expect(real.list(chips: chips).exitCode == 5)
        }
        #expect(real.pulse(line: "GPIO99", ms: 1, chips: []).exitCode == 2)
        let bare = GPIODiagnostics(board: BoardConfig(name: "bare", audio: AudioSettings()), fake: true)
        let none = bare.test(ms: 1, chips: [])
        #expect(none.exitCode == 2)
        #expect(none.lines.first?.contains("has no [gpio] section") == true)
    }
}
