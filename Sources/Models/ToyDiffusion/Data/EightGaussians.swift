import Foundation

extension GaussianMixture2D {
    /// The radius of the eight-Gaussians circle: with `eightGaussiansSpread` the data span
    /// about ±1.3, the scale of the swiss roll (radius 0.47…1.41).
    public static let eightGaussiansRadius = 1.0
    /// The standard deviation of each of the eight components.
    public static let eightGaussiansSpread = 0.1

    /// The "8 Gaussians" toy data set: eight equal-weight components N(μₖ, 0.1² I) with
    /// μₖ = (cos 2πk/8, sin 2πk/8), k = 0…7, on the unit circle. Adjacent means are
    /// 2 sin(π/8) ≈ 0.77 apart, about eight standard deviations: well-separated modes.
    public static let eightGaussians = GaussianMixture2D(validated: eightComponents(Array(repeating: 1.0 / 8, count: 8)))

    /// The same eight components with other positive weights, normalized to sum to 1:
    /// unequal weights break the eight-fold symmetry. Needs exactly eight weights.
    public static func eightGaussians(weights: [Double]) throws -> GaussianMixture2D {
        guard weights.count == 8 else { throw ToyDataError("the eight Gaussians need 8 weights (got \(weights.count))") }
        return try GaussianMixture2D(eightComponents(weights))
    }

    /// Component k at angle 2πk/8 with the given weight.
    private static func eightComponents(_ weights: [Double]) -> [Component] {
        weights.enumerated().map { k, weight in
            let angle = 2 * Double.pi * Double(k) / 8
            return Component(
                weight: weight,
                mean: Point2(eightGaussiansRadius * Foundation.cos(angle), eightGaussiansRadius * Foundation.sin(angle)),
                standardDeviation: eightGaussiansSpread)
        }
    }
}
