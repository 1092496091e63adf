import EarshotDSP
import EarshotDetection
import EarshotSignatures
import Testing

/// One synthesised scene: what must fire and what may also fire.
struct Scene: Sendable, CustomStringConvertible {
    var name: String
    var expected: String?          // nil: a confuser, no specific class may fire
    var allowed: Set<String> = []  // also acceptable (e.g. loud_impulse for impulsive sounds)
    var make: @Sendable (UInt64) -> [Double]
    var description: String { name }
}

let classScenes: [Scene] = [
    Scene(name: "gunshot", expected: "gunshot", allowed: ["loud_impulse"], make: Signals.gunshot),
    Scene(name: "explosion", expected: "explosion", allowed: ["loud_impulse"], make: Signals.explosion),
    Scene(name: "glass_break", expected: "glass_break", allowed: ["loud_impulse"], make: Signals.glass),
    Scene(name: "scream", expected: "scream", make: Signals.scream),
    Scene(name: "power_tool", expected: "power_tool", make: Signals.powerTool),
    Scene(name: "car_horn", expected: "car_horn", make: Signals.carHorn),
    Scene(name: "aerosol_spray", expected: "aerosol_spray", make: Signals.spray),
    Scene(name: "siren", expected: "siren", make: Signals.siren),
    Scene(name: "tire_screech", expected: "tire_screech", make: Signals.tireScreech),
]

let confuserScenes: [Scene] = [
    Scene(name: "speech", expected: nil, make: Signals.speech),
    Scene(name: "music chords", expected: nil, make: Signals.musicChord),
    Scene(name: "steady traffic", expected: nil, make: Signals.traffic),
    Scene(name: "clapping", expected: nil, allowed: ["loud_impulse"], make: Signals.clapping),
    Scene(name: "door slam", expected: nil, allowed: ["loud_impulse"], make: Signals.doorSlam),
    Scene(name: "church bell", expected: nil, allowed: ["loud_impulse"], make: Signals.churchBell),
]

/// Scenes the default table cannot yet separate on the real chain, with the
/// confusion observed. Each stays a known issue so it is visible in every run
/// and the suite fails ("known issue not recorded") once it is fixed.
/// Since the table was tuned on the real-recording corpus (Tools/eval/tune.py, dev
/// split: false positives 632/h → 1/h), several synthetic stand-ins no longer look
/// like the recorded classes; the corpus, not these synthetic sounds, is the reference.
let knownConfusions: [String: String] = [
    "gunshot": "only loud_impulse fires: the dev-searched entry (rise ≥ 15 dB/ms, band SNR ≥ 40 dB, ≥ 60 ms within 8 dB of the peak, bass-weighted) rejects this bare 12 ms burst (the demo shot, with echoes and reverberation, passes)",
    "explosion": "only loud_impulse fires: the corpus-tuned entry (min level −35 dBFS, ≤ 500 ms, confidence ≥ 0.6) rejects it",
    "glass_break": "only loud_impulse fires: the dev-searched entry (250 Hz–4 kHz at the loudest hop, ≥ 2 onsets, ≥ 200 ms to a 20 dB decay) rejects these 2 kHz high-passed shards (the demo window, with its impact, passes)",
    "scream": "nothing fires (scream entry matches 17 of 140 hops spectrally on the real chain)",
    "power_tool": "nothing fires: the corpus-tuned entry wants tonality ≤ −4 dB and SNR ≥ 25 dB; the synthetic grinder's 3 kHz whine is too tonal",
]

func run(_ scene: Scene) {
    if let confusion = knownConfusions[scene.name] {
        withKnownIssue("\(scene.name): \(confusion)") { check(scene) }
    } else {
        check(scene)
    }
}

func check(_ scene: Scene) {
    for seed: UInt64 in [1] {
        let audio = Signals.scene(seconds: 7, seed: seed &+ 100, event: scene.make(seed))
        let events = detect(audio)
        let names = classNames(events)
        if let expected = scene.expected {
            #expect(names.contains(expected), "\(scene.name) seed \(seed): got \(names)")
            // Onset within 50 ms of the synthesised start (1.0 s).
            if let e = events.first(where: { DefaultSignatures.table.className(of: $0) == expected }) {
                #expect(abs(Double(e.onsetSample) / 16_000 - Signals.eventStart) < 0.05,
                        "\(scene.name): onset \(Double(e.onsetSample) / 16_000) s")
            }
        }
        let wrong = names.filter { $0 != scene.expected && !scene.allowed.contains($0) }
        #expect(wrong.isEmpty, "\(scene.name) seed \(seed): wrong classes \(wrong) (all: \(names))")
        // Every start has its end.
        let starts = events.filter { $0.phase == .start }.count
        let ends = events.filter { $0.phase == .end }.count
        #expect(starts == ends)
    }
}

@Suite("Default table on synthesised audio through AnalysisChain")
struct ChainClassTests {
    @Test("each class fires on its synthesised example", arguments: classScenes)
    func fires(_ scene: Scene) { run(scene) }

    @Test("confusers fire no specific class", arguments: confuserScenes)
    func confusers(_ scene: Scene) { run(scene) }
}
