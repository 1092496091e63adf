import EarshotConfig
import Testing
@testable import EarshotAgent

@Suite("TOML in-place writer")
struct TOMLEditorTests {
    let board = """
        # Board header comment
        name = "t"   # the name

        [audio]
        rate = 16000

        [microphone]
        # measured 2026-11-01
        calibration_offset_db = 118.0   # from calibrator
        sensitivity_dbfs = -26.0

        [gpio]
        chip = "gpiochip0"

        """

    @Test func replacesOnlyTheValueAndKeepsComments() throws {
        let out = try TOMLEditor.setting(["microphone", "calibration_offset_db"], to: .float(121.25), in: board, file: "b.toml")
        let expected = board.replacing("calibration_offset_db = 118.0   # from calibrator",
                                       with: "calibration_offset_db = 121.25   # from calibrator")
        #expect(out == expected)
    }

    @Test func insertsIntoExistingTableAfterItsLastKey() throws {
        let text = board.replacing("calibration_offset_db = 118.0   # from calibrator\n", with: "")
        let out = try TOMLEditor.setting(["microphone", "calibration_offset_db"], to: .float(120.5), in: text, file: "b.toml")
        #expect(out.contains("sensitivity_dbfs = -26.0\ncalibration_offset_db = 120.5\n\n[gpio]"), "\(out)")
        #expect(out.contains("# measured 2026-11-01"))
        let doc = try TOMLDocument(parsing: out, file: "b.toml")
        #expect(doc.root.value(at: ["microphone", "calibration_offset_db"]) == .float(120.5))
    }

    @Test func appendsMissingTable() throws {
        let text = "name = \"t\" # c\n[audio]\nrate = 16000"
        let out = try TOMLEditor.setting(["microphone", "calibration_offset_db"], to: .float(119.0), in: text, file: "b.toml")
        #expect(out == "name = \"t\" # c\n[audio]\nrate = 16000\n\n[microphone]\ncalibration_offset_db = 119.0\n")
    }

    @Test func calibrationWriteOnShippedBoardKeepsItValid() throws {
        let dir = ConfigTestSupport.tempDirectory()
        let path = dir + "/rpi4.toml"
        let original = try ConfigFile.read(ConfigTestSupport.repoRoot() + "/Boards/rpi4-respeaker-4mic.toml")
        ConfigTestSupport.write(original, to: path)
        try ConfigFile.set("microphone.calibration_offset_db", to: .float(117.5), inFile: path)
        let board = try BoardConfig.load(path: path)
        #expect(board.microphone.calibrationOffsetDB == 117.5)
        #expect(board.microphone.effectiveOffsetDB == 117.5)
        let updated = try ConfigFile.read(path)
        // Every original line is still there (comments included); one line was added.
        let before = original.split(separator: "\n", omittingEmptySubsequences: false)
        let after = updated.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(after.count == before.count + 1)
        #expect(before.allSatisfy { after.contains($0) })
        // Second calibration replaces the value in place.
        try ConfigFile.set("microphone.calibration_offset_db", to: .float(118.0), inFile: path)
        let again = try ConfigFile.read(path)
        #expect(again.split(separator: "\n", omittingEmptySubsequences: false).count == after.count)
        #expect(try BoardConfig.load(path: path).microphone.calibrationOffsetDB == 118.0)
    }
}
