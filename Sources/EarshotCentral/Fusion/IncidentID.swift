// Deterministic incident ids: a hash of what started the incident.

/// Incident ids are `inc-` + 16 hex digits of FNV-1a (64-bit) over site, class, the id of the
/// event that opened the incident and its onset rounded to the millisecond. Event ids are
/// unique, so two central instances fed the same stream (or a replay) name it identically,
/// and consumers de-duplicate on it. An event can open a second incident (evicted from the
/// one it opened, or moved out of a fragment merged away): that one's id takes the next
/// `generation` (1, 2, … hashed in after the onset), so no two incidents share an id.
public enum IncidentID {
    /// The id of an incident opened by `first` at `site` (`generation` 0: its first incident).
    public static func make(site: String, first: FusionEvent, generation: Int = 0) -> String {
        let onsetMs = first.onsetNs >= 0 ? (first.onsetNs + 500_000) / 1_000_000 : (first.onsetNs - 500_000) / 1_000_000
        let salt = generation == 0 ? "" : "\u{1F}\(generation)"
        let h = fnv1a64("\(site)\u{1F}\(first.soundClass)\u{1F}\(first.id)\u{1F}\(onsetMs)\(salt)")
        let hex = String(h, radix: 16)
        return "inc-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// FNV-1a, 64-bit, over the UTF-8 bytes.
    static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01B3 }
        return h
    }
}
