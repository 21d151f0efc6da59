import Stochastic

/// The 2-D data sets the toy diffusion model learns, all on about the same scale (±1.4).
public enum ToyDataset: String, CaseIterable, Sendable {
    case swissroll, gaussians, moons

    /// One line saying what the data are.
    public var summary: String {
        switch self {
        case .swissroll: return "swiss roll: (u cos u, u sin u)/10 for u ~ U(1.5π, 4.5π), plus N(0, 0.05²I) noise"
        case .gaussians: return "8 Gaussians: equal-weight N(μₖ, 0.1²I) with the means evenly spaced on the unit circle"
        case .moons: return "two moons: two interleaving half circles, scaled by 0.9, plus N(0, 0.05²I) noise"
        }
    }

    /// `n` independent points drawn from `stream`.
    public func sample(_ n: Int, stream: inout RandomStream) -> [Point2] {
        switch self {
        case .swissroll: return SwissRoll.sample(n, stream: &stream)
        case .gaussians: return GaussianMixture2D.eightGaussians.sample(n, stream: &stream)
        case .moons: return TwoMoons.sample(n, stream: &stream)
        }
    }
}
