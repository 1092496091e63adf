import EarshotConfig
import Testing
@testable import EarshotAgent

@Suite("Board files")
struct ConfigBoardTests {
    static let shipped = ["rpi4-respeaker-4mic", "rpi-zero2w-usb-mic", "rpi-zero2w-respeaker-2mic", "beaglebone-black-usb-mic", "generic"]

    @Test(arguments: shipped)
    func shippedBoardLoads(_ name: String) throws {
        let board = try BoardConfig.load(path: ConfigTestSupport.repoRoot() + "/Boards/\(name).toml")
        #expect(board.name == name)
        #expect(AudioSettings.supportedRates.contains(board.audio.rate))
        #expect(board.audio.bufferFrames >= 2 * board.audio.periodFrames)
    }

    @Test func everyBoardFileIsInTheShippedList() {
        #expect(BoardSearch.boardNames(in: ConfigTestSupport.repoRoot() + "/Boards").sorted() == Self.shipped.sorted())
    }

    @Test func respeakerGeometryIsTheVendorSquare() throws {
        let b = try BoardConfig.load(path: ConfigTestSupport.repoRoot() + "/Boards/rpi4-respeaker-4mic.toml")
        #expect(b.audio.channels == 4 && b.audio.format == .s32LE && b.audio.device == "hw:CARD=seeed4micvoicec,DEV=0")
        #expect(b.microphone.positionsM.count == 4)
        // Opposite microphones (0-2, 1-3) are 81 mm apart: respeaker/mic_array MIC_DISTANCE_4 = 0.08127 m.
        for (i, j) in [(0, 2), (1, 3)] {
            let p = b.microphone.positionsM[i], q = b.microphone.positionsM[j]
            let d = ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()
            #expect(abs(d - 0.08127) < 0.001)
        }
        #expect(b.gpio?.presetCount == 4)
        #expect(b.camera?.presets.map(\.azimuthDeg) == [0, 90, 180, 270])
    }

    @Test func defaultsAreFilledIn() throws {
        let b = try BoardConfig.parse("name = \"g\"\n[audio]\nrate = 48000\n", file: "g.toml")
        #expect(b.audio.device == "default")
        #expect(b.audio.channels == 1)
        #expect(b.audio.format == .s16LE)
        #expect(b.audio.periodFrames == 4_800)   // 100 ms
        #expect(b.audio.bufferFrames == 19_200)  // 4 periods
        #expect(b.audio.analysisChannel == .index(0))
        #expect(b.gpio == nil && b.camera == nil)
        #expect(b.microphone.effectiveOffsetDB == nil)
    }

    @Test func binaryWiringAndCalibration() throws {
        let b = try BoardConfig.load(path: ConfigTestSupport.repoRoot() + "/Boards/rpi-zero2w-usb-mic.toml")
        #expect(b.gpio?.wiring == .binary(code: [.offset(17), .offset(27), .offset(22)], strobe: .offset(23)))
        #expect(b.gpio?.presetCount == 7)
        #expect(b.gpio?.idleLevel == .high)
        #expect(b.microphone.effectiveOffsetDB == 120.0)  // 94 dB SPL − (−26 dBFS)
    }

    @Test func renderedBoardParsesBackEqual() throws {
        for name in Self.shipped {
            let b = try BoardConfig.load(path: ConfigTestSupport.repoRoot() + "/Boards/\(name).toml")
            #expect(try BoardConfig.parse(b.tomlText, file: "shown.toml") == b)
        }
    }

    /// (replace this line of the valid board, by this; field, value, words in the message)
    @Test(arguments: [
        ("rate = 16000", "rate = 44100", "audio.rate = 44100", "supported rates are 16000 and 48000"),
        ("rate = 16000", "rate = 0", "audio.rate = 0", "supported rates are 16000 and 48000"),
        ("channels = 2", "channels = 0", "audio.channels = 0", "must be 1…8"),
        ("channels = 2", "channels = 9", "audio.channels = 9", "must be 1…8"),
        ("format = \"S16_LE\"", "format = \"S24_LE\"", "audio.format = \"S24_LE\"", "\"S16_LE\", \"S32_LE\""),
        ("device = \"default\"", "device = \"\"", "audio.device = \"\"", "must not be empty"),
        ("device = \"default\"", "period_frames = 0", "audio.period_frames = 0", "must be 16…65536 frames"),
        ("device = \"default\"", "period_frames = 1024\nbuffer_frames = 1024", "audio.buffer_frames = 1024", "at least 2 periods"),
        ("device = \"default\"", "analysis_channel = 2", "audio.analysis_channel = 2", "0…1 or \"mean\""),
        ("positions_m = [[0.05, 0.0, 0.0], [-0.05, 0.0, 0.0]]", "positions_m = [[0.05, 0.0, 0.0]]",
         "microphone.positions_m = [[0.05, 0.0, 0.0]]", "1 positions but audio.channels = 2"),
        ("positions_m = [[0.05, 0.0, 0.0], [-0.05, 0.0, 0.0]]", "positions_m = [[5.0, 0, 0], [0, 0, 0]]",
         "microphone.positions_m", "more than 1 m"),
        ("positions_m = [[0.05, 0.0, 0.0], [-0.05, 0.0, 0.0]]", "positions_m = [[0, 0, 0], [0, 0, 0]]",
         "microphone.positions_m", "less than 1 mm apart"),
        ("positions_m = [[0.05, 0.0, 0.0], [-0.05, 0.0, 0.0]]", "positions_m = [0.05, 0.0]",
         "microphone.positions_m = [0.05, 0.0]", "[x, y, z] triples"),
        ("[microphone]", "[microphone]\ncalibration_offset_db = 20", "microphone.calibration_offset_db = 20", "must be 60…160 dB SPL at 0 dBFS"),
        ("[microphone]", "[microphone]\nsensitivity_dbfs = 3", "microphone.sensitivity_dbfs = 3", "must be -80…0"),
        ("pulse_ms = 200", "pulse_ms = 0", "gpio.pulse_ms = 0", "must be 1…10000 ms"),
        ("pulse_ms = 200", "pulse_ms = 10001", "gpio.pulse_ms = 10001", "must be 1…10000 ms"),
        ("cooldown_ms = 5000", "cooldown_ms = -1", "gpio.cooldown_ms = -1", "must be 0…3600000 ms"),
        ("wiring = \"lines\"", "wiring = \"gray\"", "gpio.wiring = \"gray\"", "\"lines\", \"binary\""),
        ("lines = [22, 23]", "lines = [22, 22]", "gpio.lines = \"22\"", "used twice"),
        ("lines = [22, 23]", "lines = [22, -1]", "gpio.lines = [22, -1]", "offset 0…1023"),
        ("lines = [22, 23]", "lines = []", "gpio.lines = []", "1…16 line offsets"),
        ("lines = [22, 23]", "lines = [22]\ncode_lines = [1]", "gpio.code_lines = [1]", "only used with wiring = \"binary\""),
        ("wiring = \"lines\"", "wiring = \"binary\"\ncode_lines = [1, 2]", "gpio.strobe_line", "missing"),
        ("chip = \"gpiochip0\"", "chip = \"gpiochip0\"\nidle_level = \"high\"", "gpio.idle_level = \"high\"", "must be the inactive level, \"low\""),
        ("chip = \"gpiochip0\"", "chip = \"gpiochip0\"\nactive_low = 1", "gpio.active_low = 1", "true or false"),
        ("name = \"t\"", "name = 5", "name = 5", "must be the board's short name"),
    ] as [(String, String, String, String)])
    func validationNamesFileFieldValue(_ old: String, _ new: String, _ fieldAndValue: String, _ words: String) {
        let text = ConfigTestSupport.validBoard.replacing(old, with: new, maxReplacements: 1)
        let err = ConfigTestSupport.boardErrors(text, file: "boards/pi4.toml")
        #expect(err.contains("boards/pi4.toml: \(fieldAndValue)"), "\(err)")
        #expect(err.contains(words), "\(err)")
    }

    @Test func cameraRules() {
        let base = ConfigTestSupport.validBoard + "[camera]\nhysteresis_deg = 10\n"
        var err = ConfigTestSupport.boardErrors(base + "[[camera.preset]]\nnumber = 3\nazimuth_deg = 0\n")
        #expect(err.contains("boards/test.toml: camera.preset[0].number = 3: must be 1…2 (the [gpio] wiring selects presets 1…2)"), "\(err)")
        err = ConfigTestSupport.boardErrors(base)
        #expect(err.contains("camera.preset: missing"), "\(err)")
        err = ConfigTestSupport.boardErrors(base + "[[camera.preset]]\nnumber = 1\nazimuth_deg = 400\n")
        #expect(err.contains("camera.preset[0].azimuth_deg = 400: must be -180…360 degrees"), "\(err)")
        err = ConfigTestSupport.boardErrors(base.replacing("hysteresis_deg = 10", with: "hysteresis_deg = -1") + "[[camera.preset]]\nnumber = 1\nazimuth_deg = 0\n")
        #expect(err.contains("camera.hysteresis_deg = -1: must be 0…90 degrees"), "\(err)")
        let noGPIO = "name = \"n\"\n[audio]\nrate = 16000\n[camera]\n[[camera.preset]]\nnumber = 1\nazimuth_deg = 0\n"
        err = ConfigTestSupport.boardErrors(noGPIO)
        #expect(err.contains("boards/test.toml: camera: needs a [gpio] section"), "\(err)")
    }

    @Test func unknownKeysAreErrorsWithHint() {
        var err = ConfigTestSupport.boardErrors(ConfigTestSupport.validBoard.replacing("rate = 16000", with: "rate = 16000\nchanels = 2"))
        #expect(err.contains("boards/test.toml: audio.chanels = 2 (line 5): unknown key; did you mean `channels`?"), "\(err)")
        err = ConfigTestSupport.boardErrors(ConfigTestSupport.validBoard + "[gpoi]\nchip = \"x\"\n")
        #expect(err.contains("boards/test.toml: gpoi (line 15): unknown section; did you mean `gpio`?"), "\(err)")
        err = ConfigTestSupport.boardErrors(ConfigTestSupport.validBoard.replacing("pulse_ms", with: "plse_ms"))
        #expect(err.contains("gpio.plse_ms = 200"), "\(err)")
        #expect(err.contains("did you mean `pulse_ms`?"), "\(err)")
        err = ConfigTestSupport.boardErrors(ConfigTestSupport.validBoard + "[audio.extra]\nzzz = 1\n")
        #expect(err.contains("audio.extra"), "\(err)")
        #expect(err.contains("unknown section"), "\(err)")
    }

    @Test func missingEssentials() {
        let err = ConfigTestSupport.boardErrors("description = \"x\"\n")
        #expect(err.contains("boards/test.toml: name: missing"), "\(err)")
        #expect(err.contains("boards/test.toml: audio: missing section [audio]"), "\(err)")
    }
}
