import CheckCore
import Gaussian
import Stochastic

extension CheckRow {
    /// A closed form against a Monte-Carlo estimate (pass when |z| ≤ 5).
    public static func monteCarlo(_ quantity: String, closedForm: Double, estimate: MeanEstimate) -> CheckRow {
        .monteCarlo(quantity, closedForm: closedForm, mean: estimate.mean, stderr: estimate.standardError, n: estimate.count)
    }

    /// A closed-form probability p₀ against the frequency of `hits` in `trials` independent
    /// trials, z = (p̂ − p₀)/√(p₀(1 − p₀)/n): the standard error under the claimed p₀ (the score
    /// test, the one Wilson's interval inverts), not the plug-in √(p̂(1 − p̂)/n). The plug-in
    /// is 0 whenever every trial lands on one side, which small samples in a tail do often
    /// (100 draws beyond Φ(2) = 0.977 all fall below 2 with probability 0.1), and then a correct
    /// formula gets z = ±∞. Under the claim the score z is as close to N(0, 1) as the plug-in
    /// one, and it exists for every n.
    public static func proportion(_ quantity: String, closedForm p0: Double, hits: Int, trials n: Int) -> CheckRow {
        let estimate = Double(hits) / Double(n)
        return .monteCarlo(quantity, closedForm: p0, mean: estimate, stderr: (max(p0 * (1 - p0), 0) / Double(n)).squareRoot(), n: n)
    }

    /// Samples against a closed-form CDF (Kolmogorov–Smirnov, pass when p ≥ 5.7·10⁻⁷).
    public static func distribution(_ quantity: String, samples: [Double], cdf: (Double) -> Double) -> CheckRow {
        let test = KolmogorovSmirnov(samples: samples, cdf: cdf)
        return .distribution(quantity, statistic: test.statistic, pValue: test.pValue, n: test.count)
    }

    /// A closed form against an integral computed by GSL quadrature.
    public static func quadrature(
        _ quantity: String, closedForm: Double, from a: Double = -.infinity, to b: Double = .infinity,
        center: Double = 0, floor: Double = 0, _ integrand: (Double) -> Double
    ) throws -> CheckRow {
        let integral = try Quadrature.integrate(from: a, to: b, center: center, integrand)
        return .exact(quantity, closedForm: closedForm, exact: integral.value, floor: floor)
    }
}

/// Evidence that a set of draws follows a claimed Gaussian: its mean, its variance (with
/// the fourth-moment standard error) and its whole distribution (KS).
public func gaussianEvidence(_ label: String, samples: [Double], claimed: Gaussian) -> [CheckRow] {
    let moments = MomentAccumulator(samples)
    return [
        .monteCarlo("mean of \(label)", closedForm: claimed.mean, estimate: moments.meanEstimate),
        .monteCarlo("variance of \(label)", closedForm: claimed.variance, estimate: moments.varianceEstimate),
        .distribution("law of \(label) (KS)", samples: samples, cdf: claimed.cdf),
    ]
}

extension CheckContext {
    /// This cell's own random stream, from the cell's generator.
    public var randomStream: RandomStream { RandomStream(seed: seed, stream: stream, generator: generator) }

    /// The cell's Monte-Carlo sample size.
    public var samples: Int { parameters.integer("samples") }
}

/// Draws `count` values of `draw` from `stream`.
public func draws(_ count: Int, _ stream: inout RandomStream, _ draw: (inout RandomStream) -> Double) -> [Double] {
    (0..<count).map { _ in draw(&stream) }
}

/// f′(x) by the five-point difference (8(f(x+h) − f(x−h)) − (f(x+2h) − f(x−2h)))/(12h), error
/// O(h⁴): a derivative computed from values alone, independent of any closed-form gradient.
public func fivePointDerivative(at x: Double, step h: Double, _ f: (Double) -> Double) -> Double {
    (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h)
}
