// earshot-hil-gen: the audio and signature table the HIL VM plays and detects.
//   earshot-hil-gen OUTDIR
// Writes into OUTDIR:
//   table.json   SignatureTable.relaxedForSyntheticSounds(): the table the VM's agent uses
//   <name>.wav   16 kHz mono S16_LE street soundscapes (EarshotAgent's DemoSoundscape)
//                with events at known onsets, 0.5 s of silence appended (snd-aloop
//                drops the last few ms when the player drains)
//   events.txt   one line per planned event: "<name> <onset_s> <class>"
import EarshotAgent
import EarshotSignatures
import EarshotTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One file of the scenario: its name, length (s) and planned events (onset s, class).
struct PlannedFile {
    var name: String
    var seconds: Double
    var events: [(Double, String)]
}

/// The scenario's files (see Tools/hil/scenario.sh for what each phase does with them).
let files = [
    // Phase "normal": pulses at 2, 7, 11, 15, 19 s; the shot at 3.5 s is published but
    // its pulse is refused by the 3 s cooldown. Shots are detected at every hop alignment
    // (Tools/hil/align-check.sh); the horns are the sustained-class check.
    PlannedFile(name: "normal", seconds: 22, events: [
        (2.0, "gunshot"), (3.5, "gunshot"), (7.0, "car_horn"), (11.0, "gunshot"), (15.0, "car_horn"), (19.0, "gunshot"),
    ]),
    // Phase "xrun": the agent is stopped from 4 s to 6 s; the shot at 9 s must be detected.
    PlannedFile(name: "xrun", seconds: 12, events: [(2.0, "gunshot"), (9.0, "gunshot")]),
    // Phases "reopen", "busy", "term": one shot at 2 s.
    PlannedFile(name: "one", seconds: 4, events: [(2.0, "gunshot")]),
]

func fail(_ text: String) -> Never {
    _ = "earshot-hil-gen: \(text)\n".withCString { write(2, $0, strlen($0)) }
    exit(1)
}

func write(_ path: String, _ bytes: [UInt8]) {
    guard let f = fopen(path, "wb") else { fail("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(f) }
    if fwrite(bytes, 1, bytes.count, f) != bytes.count { fail("short write to \(path)") }
}

/// A canonical 44-byte-header PCM WAV, mono 16-bit little endian.
func wavBytes(_ samples: [Int16], rate: Int) -> [UInt8] {
    var b: [UInt8] = []
    b.reserveCapacity(44 + samples.count * 2)
    func u32(_ v: Int) { for k in 0..<4 { b.append(UInt8((v >> (8 * k)) & 0xFF)) } }
    func u16(_ v: Int) { for k in 0..<2 { b.append(UInt8((v >> (8 * k)) & 0xFF)) } }
    b += Array("RIFF".utf8); u32(36 + samples.count * 2); b += Array("WAVE".utf8)
    b += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
    b += Array("data".utf8); u32(samples.count * 2)
    for s in samples { let u = UInt16(bitPattern: s); b.append(UInt8(u & 0xFF)); b.append(UInt8(u >> 8)) }
    return b
}

guard CommandLine.arguments.count == 2 else { fail("usage: earshot-hil-gen OUTDIR") }
/// Horn level (dBFS) and length (s): EARSHOT_HIL_HORN="LEVEL,SECONDS" overrides (experiments).
let hornSpec: (level: Double, seconds: Double) = {
    if let p = getenv("EARSHOT_HIL_HORN") {
        let parts = String(cString: p).split(separator: ",").compactMap { Double($0) }
        if parts.count == 2 { return (parts[0], parts[1]) }
    }
    return (-18, 0.9)
}()
let out = CommandLine.arguments[1]
write(out + "/table.json", Array(SignatureFile.encode(.relaxedForSyntheticSounds()).utf8))
var manifest = ""
for (k, file) in files.enumerated() {
    let plan = file.events.map { onset, cls in
        DemoEventSpec(className: cls, label: cls, onsetSeconds: onset, durationSeconds: cls == "gunshot" ? 0.4 : hornSpec.seconds,
                      levelDBFS: cls == "gunshot" ? -12 : hornSpec.level, reverberant: false)
    }
    let scape = DemoSoundscape.make(seconds: file.seconds, plan: plan, seed: 11 + UInt64(k))
    guard scape.events.count == plan.count else { fail("\(file.name): the soundscape placed \(scape.events.count) of \(plan.count) events") }
    let padded = scape.samples + [Int16](repeating: 0, count: scape.rate / 2)
    write("\(out)/\(file.name).wav", wavBytes(padded, rate: scape.rate))
    for e in scape.events { manifest += "\(file.name) \(e.onsetSeconds) \(e.className)\n" }
}
write(out + "/events.txt", Array(manifest.utf8))
print("earshot-hil-gen: wrote table.json, \(files.map { $0.name + ".wav" }.joined(separator: ", ")), events.txt to \(out)")
