/// A Monte-Carlo estimate: the value, its standard error and the number of samples.
public struct MeanEstimate: Sendable, Equatable, Codable {
    public let mean: Double
    public let standardError: Double
    public let count: Int

    public init(mean: Double, standardError: Double, count: Int) {
        self.mean = mean
        self.standardError = standardError
        self.count = count
    }

    /// z = (estimate − expected) / stderr: how many standard errors the estimate lies
    /// from the value a formula predicts. A zero stderr gives 0 on exact agreement and ±∞
    /// otherwise.
    public func zScore(expected: Double) -> Double {
        let difference = mean - expected
        if standardError > 0 { return difference / standardError }
        return difference == 0 ? 0 : (difference > 0 ? .infinity : -.infinity)
    }
}

/// Monte-Carlo estimators over seeded streams.
public enum MonteCarlo {
    /// E[g] estimated from `samples` draws of `draw`, with standard error and count.
    public static func mean(
        samples: Int, stream: inout RandomStream, _ draw: (inout RandomStream) -> Double
    ) -> MeanEstimate {
        moments(samples: samples, stream: &stream, draw).meanEstimate
    }

    /// The moments of `samples` draws (mean and variance estimates with standard errors).
    public static func moments(
        samples: Int, stream: inout RandomStream, _ draw: (inout RandomStream) -> Double
    ) -> MomentAccumulator {
        var accumulator = MomentAccumulator()
        for _ in 0..<samples { accumulator.add(draw(&stream)) }
        return accumulator
    }
}

extension MonteCarlo {
    /// The self-normalized importance-sampling estimate of E_p[g] from draws xᵢ ~ q with
    /// weights wᵢ ∝ p(xᵢ)/q(xᵢ) (`values` holds g(xᵢ)): ĝ = Σwᵢgᵢ/Σwᵢ, with the delta-method
    /// standard error √(Σwᵢ²(gᵢ − ĝ)²)/Σwᵢ (Owen 2013, §9.2). `count` is Kish's effective
    /// sample size (Σwᵢ)²/Σwᵢ², the number of plain draws the weighted ones are worth.
    public static func selfNormalized(values: [Double], weights: [Double]) -> MeanEstimate {
        precondition(values.count == weights.count && !values.isEmpty, "one weight per value, at least one")
        let total = weights.reduce(0, +)
        let mean = zip(values, weights).reduce(0) { $0 + $1.1 * $1.0 } / total
        var spread = 0.0, squares = 0.0
        for (g, w) in zip(values, weights) {
            spread += w * w * (g - mean) * (g - mean)
            squares += w * w
        }
        return MeanEstimate(mean: mean, standardError: spread.squareRoot() / total, count: Int((total * total / squares).rounded()))
    }
}
