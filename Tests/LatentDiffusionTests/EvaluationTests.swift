import Gaussian
import LatentDiffusion
import Stochastic
import Testing

/// The FID's small-sample caveat (`LatentEvaluation.isSmallSample`): a Gaussian fitted to n
/// points in d dimensions has a singular covariance exactly when n ≤ d.
@Suite("The FID of few images")
struct EvaluationTests {
    /// The smallest eigenvalue of the sample covariance of n standard normal points in d
    /// dimensions, relative to the largest.
    func smallestRelativeEigenvalue(points n: Int, dimensions d: Int) throws -> Double {
        var stream = RandomStream(seed: 3)
        let covariance = FrechetDistance.moments(stream.normals(n * d), dimensions: d).covariance
        let values = SymmetricEigen(covariance, size: d).values
        return try #require(values.min()) / #require(values.max())
    }

    @Test("at most 128 images, the classifier's feature count, is a small sample, and there the covariance is singular")
    func boundary() throws {
        let d = Classifier.features
        #expect(d == 128)
        #expect(LatentEvaluation.isSmallSample(fidImages: d) && !LatentEvaluation.isSmallSample(fidImages: d + 1))
        // Rank n − 1: with n = d the smallest eigenvalue is rounding (|λ| ≲ 1e-15 λ_max); with
        // n = d + 1 it is small (Marchenko–Pastur: about (1 − √(d/n))² of the variance) but real.
        let singular = try smallestRelativeEigenvalue(points: d, dimensions: d)
        let regular = try smallestRelativeEigenvalue(points: d + 1, dimensions: d)
        #expect(abs(singular) < 1e-12, "n = d: \(singular)")
        #expect(regular > 1e-9, "n = d + 1: \(regular)")
    }
}
