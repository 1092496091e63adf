// `earshot demo --write-wav`: the demo's synthetic street written to a WAV file instead
// of being played through the pipeline, so `earshot analyze`, `listen` and the
// analyze benchmark get a recording whose events are known. Synthetic audio only:
// nothing from a microphone is ever written by this path.
import EarshotOffline
import EarshotPlatform

/// Writes consecutive 60 s demo soundscapes (16 kHz, mono, 16-bit PCM) as one WAV file.
public enum DemoRecording {
    /// Longest recording, minutes: 24 h is 2.76 GB, inside the 4 GiB a RIFF size field holds.
    public static let maxMinutes = 1_440

    /// Writes `minutes` soundscapes, minute k synthesised with seed `seed + k` (same event
    /// times each minute), to `path` atomically; returns every placed sound with its onset in
    /// seconds from the start of the file.
    /// - Throws: `AgentError(.config)` for minutes outside 1…`maxMinutes`,
    ///   `AgentError(.input)` naming the path when it cannot be written.
    public static func write(to path: String, minutes: Int, seed: UInt64, siren: Bool) throws(AgentError) -> [DemoEventSpec] {
        guard (1...maxMinutes).contains(minutes) else {
            throw AgentError(.config, "--minutes \(minutes): must be 1…\(maxMinutes)")
        }
        let rate = 16_000
        let samplesPerMinute = 60 * rate
        var events: [DemoEventSpec] = []
        let minutesAudio = (0..<minutes).lazy.map { k -> [UInt8] in
            let scene = DemoSoundscape.street(seconds: 60, siren: siren, seed: seed &+ UInt64(k))
            for var e in scene.events {
                e.onsetSeconds += Double(60 * k)
                events.append(e)
            }
            let body = PCM16WAV.samples(scene.samples)
            return k == 0 ? PCM16WAV.header(sampleCount: minutes * samplesPerMinute, rate: rate) + body : body
        }
        do {
            try FileAccess.replace(path, parts: minutesAudio)
        } catch {
            throw AgentError(.input, error.description)
        }
        return events
    }

    /// `event` as a line of the DCASE event list, the form `earshot analyze --format dcase` writes.
    public static func referenceLine(file: String, event: DemoEventSpec) -> String {
        OfflineReportFormat.dcaseLine(file: file, onsetSeconds: event.onsetSeconds,
                                      offsetSeconds: event.onsetSeconds + event.durationSeconds, className: event.className)
    }
}

/// Mono 16-bit PCM WAV bytes (little-endian, 44-byte canonical header).
enum PCM16WAV {
    /// The RIFF/fmt/data header for `sampleCount` samples at `rate` Hz.
    static func header(sampleCount: Int, rate: Int) -> [UInt8] {
        let dataBytes = sampleCount * 2
        var h: [UInt8] = []
        func u32(_ v: Int) { h += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 24) & 0xFF)] }
        func u16(_ v: Int) { h += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        h += Array("RIFF".utf8); u32(36 + dataBytes); h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
        h += Array("data".utf8); u32(dataBytes)
        return h
    }

    /// `samples` as little-endian bytes (the data chunk's body).
    static func samples(_ samples: [Int16]) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: samples.count * 2)
        for (i, s) in samples.enumerated() {
            let u = UInt16(bitPattern: s)
            body[2 * i] = UInt8(u & 0xFF)
            body[2 * i + 1] = UInt8(u >> 8)
        }
        return body
    }
}
