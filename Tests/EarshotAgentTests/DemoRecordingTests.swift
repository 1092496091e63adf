// `earshot demo --write-wav`: the synthetic street as a file with a reference event list,
// checked by running the built binary and analysing what it wrote.
import EarshotAgent
import Foundation
import Testing

@Suite("earshot demo --write-wav (runs the built binary)")
struct DemoRecordingTests {
    @Test("two minutes: a 16 kHz mono WAV of the right size, eight reference events, the demo scenes sample for sample")
    func writesRecordingAndReference() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("street.wav").path
        let (code, out, err) = try runEarshot(["demo", "--write-wav", wav, "--minutes", "2", "--seed", "1"])
        #expect(code == 0, "\(err)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: wav))
        #expect(bytes.count == 44 + 2 * 60 * 16_000 * 2)
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        #expect(u32(24) == 16_000)                  // sample rate
        #expect(u32(40) == 2 * 60 * 16_000 * 2)     // data bytes
        #expect(!FileManager.default.fileExists(atPath: wav + ".tmp"))

        let reference = out.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(reference.map { $0[3] } == ["gunshot", "glass_break", "car_horn", "power_tool",
                                            "gunshot", "glass_break", "car_horn", "power_tool"])
        #expect(reference.map { $0[1] } == ["8.000", "19.000", "30.000", "40.000", "68.000", "79.000", "90.000", "100.000"])
        #expect(reference.allSatisfy { $0[0] == wav && Double($0[2])! > Double($0[1])! })

        // The samples are the demo's own scenes, minute k with seed 1 + k (the pipeline run of
        // the same scenes is checked by DemoDriverTests; analysing 2 min here took 66 s in debug).
        for k in 0..<2 {
            let scene = DemoSoundscape.street(seconds: 60, siren: false, seed: 1 + UInt64(k))
            let offset = 44 + k * 60 * 16_000 * 2
            let written = (0..<scene.samples.count).map { i in
                Int16(bitPattern: UInt16(bytes[offset + 2 * i]) | UInt16(bytes[offset + 2 * i + 1]) << 8)
            }
            #expect(written == scene.samples, "minute \(k)")
        }
    }

    @Test("bad options and an unwritable path: exit 64 (usage) or 3, one line naming the value or the path, no file left")
    func refusesBadRequests() throws {
        let dir = try offlineTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("x.wav").path
        let (zero, _, zeroErr) = try runEarshot(["demo", "--write-wav", wav, "--minutes", "0"])
        #expect(zero == 64)
        #expect(zeroErr.contains("--minutes 0: must be 1…1440"), "\(zeroErr)")
        let (alone, _, aloneErr) = try runEarshot(["demo", "--minutes", "3"])
        #expect(alone == 64)
        #expect(aloneErr.contains("--minutes needs --write-wav FILE"), "\(aloneErr)")
        let (paced, _, pacedErr) = try runEarshot(["demo", "--write-wav", wav, "--realtime"])
        #expect(paced == 64)
        #expect(pacedErr.contains("--realtime and --broker apply when the demo runs"), "\(pacedErr)")

        let missing = dir.appendingPathComponent("no-such-dir/x.wav").path
        let (code, out, err) = try runEarshot(["demo", "--write-wav", missing])
        #expect(code == 3)
        #expect(out.isEmpty)
        #expect(err == "earshot demo: cannot create \(missing).tmp: No such file or directory\n", "\(err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
