// The "did you mean" hint for a misspelt key in the small files read through this
// module: configuration (TOML sections and keys, board names) and signature tables
// (JSON fields). One rule, so both formats suggest the same way.

/// The known name closest to a misspelt one.
public enum NameSuggestion {
    /// The allowed name closest to `key` by edit distance, when close enough to
    /// be a typo (distance ≤ 1/3 of the length, at least 1; or a prefix).
    public static func closest(_ key: String, in allowed: [String]) -> String? {
        var best: (String, Int)?
        for a in allowed {
            let d = editDistance(key.lowercased(), a)
            if best == nil || d < best!.1 { best = (a, d) }
        }
        guard let (name, d) = best else { return nil }
        if d <= max(1, key.count / 3) { return name }
        if let p = allowed.first(where: { $0.hasPrefix(key) || key.hasPrefix($0) }), min(p.count, key.count) >= 3 { return p }
        return nil
    }

    /// Optimal-string-alignment distance: insertions, deletions,
    /// substitutions and swaps of neighbours (`prot` → `port` is 1).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
