/// "Did you mean": the registered ids closest to a misspelt one, for error messages.
extension CheckRegistry {
    /// The ids worth suggesting for `id`: those it is a typo of (an edit distance of at most a
    /// quarter of the shorter name, at least 2) or the start of, nearest first, at most `count`;
    /// else every id of its family (`gaussian.*` for `gaussian.nope`); else none.
    public func nearest(to id: String, count: Int = 3) -> [String] {
        let close = ids.map { (id: $0, distance: Self.editDistance(id, $0)) }
            .filter { $0.id.hasPrefix(id) || $0.distance <= max(2, min(id.count, $0.id.count) / 4) }
            .sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
        if !close.isEmpty { return close.prefix(count).map(\.id) }
        guard let dot = id.firstIndex(of: ".") else { return [] }
        return ids.filter { $0.hasPrefix(id[...dot]) }
    }

    /// The Levenshtein distance (insertions, deletions, substitutions) between two strings,
    /// by characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The sentence an error about an unknown id ends with.
    public func suggestion(for id: String) -> String {
        let near = nearest(to: id)
        let listing = "`lessons checks` lists all \(ids.count)"
        return near.isEmpty ? listing : "did you mean \(near.joined(separator: ", "))? (\(listing))"
    }
}
