import CGSL

/// Ordinary least squares y = intercept + slope·x (GSL `gsl_fit_linear`), with the
/// standard errors of both coefficients and the residual variance.
public struct LineFit: Sendable, Equatable {
    public let intercept: MeanEstimate
    public let slope: MeanEstimate
    /// The residual variance Σr²/(n−2) with its standard error from the residuals' fourth
    /// central moment (as for any sample variance).
    public let residualVariance: MeanEstimate

    /// Fits the line. Throws when there are fewer than 3 points or GSL reports an error.
    public init(x: [Double], y: [Double]) throws {
        _ = GSL.ready
        guard x.count == y.count, x.count >= 3 else {
            throw GSLError(status: GSL_EINVAL, context: "line fit needs ≥ 3 paired points (got \(x.count) x, \(y.count) y)")
        }
        var c0 = 0.0, c1 = 0.0, cov00 = 0.0, cov01 = 0.0, cov11 = 0.0, sumsq = 0.0
        let status = x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                gsl_fit_linear(xs.baseAddress, 1, ys.baseAddress, 1, xs.count, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)
            }
        }
        try GSL.check(status, "gsl_fit_linear")
        let n = x.count
        intercept = MeanEstimate(mean: c0, standardError: cov00.squareRoot(), count: n)
        slope = MeanEstimate(mean: c1, standardError: cov11.squareRoot(), count: n)
        // Residuals have n − 2 degrees of freedom; their moments give the stderr of σ̂².
        var moments = MomentAccumulator()
        for i in 0..<n { moments.add(y[i] - c0 - c1 * x[i]) }
        let spread = moments.varianceEstimate
        let scale = Double(n - 1) / Double(n - 2)
        residualVariance = MeanEstimate(
            mean: sumsq / Double(n - 2), standardError: spread.standardError * scale, count: n)
    }
}
