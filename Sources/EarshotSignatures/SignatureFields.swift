// The JSON fields of a signature entry: names, defaults, ranges, and the
// conversion between file units (dB, ms, Hz, [0,1]) and the detector's
// fixed-point fields. One table drives parsing, validation and writing.
import EarshotDetection

/// Every JSON key of an entry, in the order the file is written.
enum SignatureField {
    static let ordered: [String] = [
        "name", "kind",
        "band_template_db", "band_tolerance_db", "max_band_error_db",
        "tonal_hz", "min_tonality_db", "max_tonality_db", "sweep_bins",
        "pitch_hz", "min_pitch_prominence_db", "pitch_step_hz", "min_pitch_continuity", "min_pitch_moving", "min_pitch_span",
        "min_rise_db_per_ms", "min_crest_db", "min_duration_ms", "max_duration_ms",
        "decay_db", "max_decay_ms", "max_hold_ms", "min_transients", "repetition_hz", "gap_ms", "min_match_fraction", "max_level_drop_db",
        "min_snr_db", "min_level_dbfs", "min_level_db_spl", "min_confidence", "cooldown_ms",
    ]
    /// Keys an entry must have; the others take the defaults of `Signature()`.
    static let required: Set<String> = [
        "name", "kind", "band_template_db", "band_tolerance_db", "max_band_error_db",
        "min_duration_ms", "max_duration_ms", "min_snr_db", "min_confidence", "cooldown_ms",
    ]
    /// What each key means, in file units (printed by `earshot table show --fields`).
    static let help: [(String, String)] = [
        ("name", "snake_case class name, 1–31 characters [a-z0-9_]; built-in names map to built-in classes"),
        ("kind", "\"impulsive\" (one event with onset and offset) or \"sustained\" (start, then end)"),
        ("band_template_db", "8 octave bands 63 Hz…8 kHz relative to the loudest band, dB, each −120…0"),
        ("band_tolerance_db", "8 allowed deviations from the template before error counts, dB, 0…60 (60 = band ignored)"),
        ("max_band_error_db", "largest mean excess deviation for a hop to match, dB, 0…60"),
        ("tonal_hz", "up to 8 tone frequencies, Hz, resolved to the nearest Goertzel bin within ±12 %"),
        ("min_tonality_db", "strongest tonal bin minus its octave band must be ≥ this, dB, −60…20 (null = not checked)"),
        ("max_tonality_db", "… must be ≤ this (steady noise), dB, −60…20 (null = not checked)"),
        ("sweep_bins", "[min, max] distinct strongest tonal bins over the sound, 0…16 (0 = not checked)"),
        ("pitch_hz", "sustained: [min, max] Hz of the hop's strongest peak 400–2 500 Hz (FeatureFrame.pitchHz); a hop matches only inside it ([0, 0] = no pitch rule)"),
        ("min_pitch_prominence_db", "that peak over the mean of the range's other FFT bins, dB, 0…60 (tone 15–19, noise 5–8)"),
        ("pitch_step_hz", "largest pitch change between consecutive matched hops that continues the track, Hz, 1…1 000"),
        ("min_pitch_continuity", "share of matched hops continuing the previous hop's pitch, 0…1 (0 = not checked)"),
        ("min_pitch_moving", "share of matched hops whose pitch is 2.5–40 % away from 80 ms before (glide or step), 0…1 (0 = not checked)"),
        ("min_pitch_span", "highest over lowest pitch of the sound, ratio, 1…8 (null = not checked)"),
        ("min_rise_db_per_ms", "impulsive: envelope rise at the onset, dB/ms, 0…100 (null = any detected onset)"),
        ("min_crest_db", "crest factor of the loudest hop, dB, 0…60 (null = not checked)"),
        ("min_duration_ms", "shortest sound, ms, ≥ 0"),
        ("max_duration_ms", "longest sound, ms, 10…3 600 000 (sustained sounds are ended there)"),
        ("decay_db", "impulsive: the sound ends this far below its peak, dB, 1…60"),
        ("max_decay_ms", "impulsive: peak → end at most this long, ms (0 = not checked)"),
        ("max_hold_ms", "impulsive: the level stays within 3 dB of its peak at most this long (−3 dB width, 10 ms hops), ms (0 = not checked)"),
        ("min_transients", "impulsive: onsets within the sound, ≥ 1"),
        ("repetition_hz", "sustained: [min, max] onsets per second, 0…100 (0 = not checked)"),
        ("gap_ms", "sustained: non-matching time bridged, ms, 0…10 000"),
        ("min_match_fraction", "sustained: share of hops since the onset that must match before start, 0…1"),
        ("max_level_drop_db", "sustained: hops more than this below the peak stop matching, dB, 0…120"),
        ("min_snr_db", "largest band SNR over the main template bands (≥ −10 dB), dB, −20…100"),
        ("min_level_dbfs", "loudest 10 ms Leq, dBFS, −120…10 (null = not checked)"),
        ("min_level_db_spl", "loudest 10 ms Leq, dB SPL, 0…127 (Q8.8 limit); used when calibrated (null = not checked)"),
        ("min_confidence", "events below this confidence are not reported, 0…1"),
        ("cooldown_ms", "silence of this class after an event, ms, 0…3 600 000"),
    ]
}

/// Q8.8 dB from a file value in dB.
@inline(__always) func q88(_ x: Double) -> Int16 { Int16((x * 256).rounded()) }
/// File value in dB from Q8.8.
@inline(__always) func db(_ q: Int16) -> Double { Double(q) / 256 }

/// Q15 share (`min_match_fraction`, 32 768 = all hops) from a file value in 0…1.
@inline(__always) func q15Share(_ x: Double) -> Int16 { Int16(min(32_767, (x * 32_768).rounded())) }
/// Confidence in 1/65 535 units (`min_confidence`) from a file value in 0…1.
@inline(__always) func u16Confidence(_ x: Double) -> UInt16 { UInt16((x * 65_535).rounded()) }

/// The file value for a stored fraction `q` (of `scale`): the shortest decimal, at most six
/// places, that `decode` maps back to `q`. Files stay readable (0.7, not 0.70001220703125)
/// and `parse(encode(t)) == t` holds for every stored value (a fixed four places did not:
/// 1/32 768 was written as 0 and read back as 0).
func shortestDecimal<Q: BinaryInteger>(_ q: Q, scale: Double, decode: (Double) -> Q) -> Double {
    let exact = Double(q) / scale
    var power = 1.0
    for _ in 0..<6 {
        power *= 10
        let decimal = (exact * power).rounded() / power
        if decode(decimal) == q { return decimal }
    }
    return exact
}
