// Reads the events' `onset` (RFC 3339, UTC) back into nanoseconds.

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC only, 0…9 fraction digits) into ns since
/// 1970-01-01T00:00:00Z; nil when the text is not of that form or a field is out of range.
func parseRFC3339UTC(_ text: String) -> Int64? {
    let b = Array(text.utf8)
    guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
          b.last == 0x5A || b.last == 0x7A else { return nil }
    func num(_ from: Int, _ count: Int) -> Int64? {
        var v: Int64 = 0
        for i in from..<(from + count) {
            guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            v = v * 10 + Int64(b[i] - 0x30)
        }
        return v
    }
    guard let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
          let hour = num(11, 2), let minute = num(14, 2), let second = num(17, 2),
          (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
    var fraction: Int64 = 0
    let end = b.count - 1
    if end > 19 {
        guard b[19] == 0x2E, end - 20 >= 1, end - 20 <= 9, let f = num(20, end - 20) else { return nil }
        fraction = f
        for _ in 0..<(9 - (end - 20)) { fraction *= 10 }
    } else if end != 19 { return nil }
    // Days from civil (H. Hinnant), proleptic Gregorian.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
    return seconds * 1_000_000_000 + fraction
}
