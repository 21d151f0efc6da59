import CheckCore

extension ParameterSpec {
    /// The skips of a step from t to t − skip, for the checks that compare one step two ways.
    static func skips(_ values: [Int]) -> ParameterSpec {
        ParameterSpec("skip", .integers(1...100_000), default: .integers(values), help: "the step goes from t to t − skip (to 0 at the lowest)")
    }

    /// How many random inputs each (t, skip) is compared on.
    static let points = ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random inputs compared per row")
}

extension CheckContext {
    /// The cell's skips, at least one.
    var skips: [Int] {
        get throws {
            let skips = parameters.integers("skip")
            guard !skips.isEmpty else { throw CheckFailure("give at least one skip") }
            return skips
        }
    }
}
