import Stochastic

/// The Fréchet distance (the squared 2-Wasserstein distance) between two Gaussians
/// N(μ₁, Σ₁) and N(μ₂, Σ₂) in d dimensions (Dowson & Landau 1982), as FID uses it:
///   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}).
/// The trace of the geometric-mean term equals Tr((Σ₁Σ₂)^{1/2}); it is computed from the
/// eigenvalues of the symmetric PSD matrix Σ₁^{1/2} Σ₂ Σ₁^{1/2} (GSL), whose square roots
/// it sums (tiny negative eigenvalues from rounding count as 0). In one dimension it reduces
/// to (μ₁ − μ₂)² + (σ₁ − σ₂)².
public enum FrechetDistance {
    /// Means of length d, covariances d×d row-major.
    public static func squared(mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double]) -> Double {
        let d = mean1.count
        precondition(mean2.count == d && covariance1.count == d * d && covariance2.count == d * d, "Fréchet distance: mismatched dimensions")
        var distance = 0.0
        for i in 0..<d { distance += (mean1[i] - mean2[i]) * (mean1[i] - mean2[i]) }
        let root1 = SymmetricEigen(covariance1, size: d).map { max($0, 0).squareRoot() }
        let middle = multiply(multiply(root1, covariance2, d), root1, d)
        let symmetric = (0..<(d * d)).map { (middle[$0] + middle[($0 % d) * d + $0 / d]) / 2 }
        let crossTrace = SymmetricEigen(symmetric, size: d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
        for i in 0..<d { distance += covariance1[i * d + i] + covariance2[i * d + i] }
        return distance - 2 * crossTrace
    }

    /// The sample mean and the unbiased sample covariance of n feature vectors of length d
    /// (row-major [n, d]).
    public static func moments(_ features: [Double], dimensions d: Int) -> (mean: [Double], covariance: [Double]) {
        let n = features.count / d
        precondition(n >= 2 && features.count == n * d, "moments need at least two vectors of \(d) numbers")
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<n { for i in 0..<d { mean[i] += features[row * d + i] } }
        for i in 0..<d { mean[i] /= Double(n) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centered = [Double](repeating: 0, count: d)
        for row in 0..<n {
            for i in 0..<d { centered[i] = features[row * d + i] - mean[i] }
            for i in 0..<d { for j in 0...i { covariance[i * d + j] += centered[i] * centered[j] } }
        }
        for i in 0..<d {
            for j in 0...i {
                covariance[i * d + j] /= Double(n - 1)
                covariance[j * d + i] = covariance[i * d + j]
            }
        }
        return (mean, covariance)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n { let x = a[i * n + k]; for j in 0..<n { c[i * n + j] += x * b[k * n + j] } } }
        return c
    }
}
