import Gaussian

/// The probability-flow ODE solved in closed form for data x₀ ~ N(m, s²), in the scaled
/// coordinates x = x₀ + σε:
///
/// - the noised law is p_σ = N(m, s² + σ²);
/// - the optimal denoiser is D(x; σ) = m + s²/(s² + σ²)·(x − m) (the regression of x₀ on x);
/// - dx/dσ = (x − D)/σ = σ(x − m)/(s² + σ²), whose solution keeps (x − m)/√(s² + σ²) fixed:
///   x(σ₁) = m + (x(σ₀) − m)·√((s² + σ₁²)/(s² + σ₀²)).
///
/// So a solver's global error at any number of steps is known exactly, and its order of
/// convergence can be measured rather than assumed. The same data in VP coordinates is
/// `GaussianDataDenoiser` (Posterior module).
public struct GaussianDataFlow: Sendable {
    public let data: Gaussian

    public init(data: Gaussian) { self.data = data }

    public func denoised(_ x: Double, sigma: Double) -> Double {
        data.mean + data.variance / (data.variance + sigma * sigma) * (x - data.mean)
    }

    /// p_σ = N(m, s² + σ²).
    public func noisedLaw(sigma: Double) -> Gaussian { Gaussian(mean: data.mean, variance: data.variance + sigma * sigma) }

    /// The exact ODE solution: x at σ₁ from x at σ₀.
    public func transport(_ x: Double, from sigma0: Double, to sigma1: Double) -> Double {
        data.mean + (x - data.mean) * ((data.variance + sigma1 * sigma1) / (data.variance + sigma0 * sigma0)).squareRoot()
    }

    /// The denoiser as a solver takes it.
    public var denoiser: Denoiser<Double> { { x, sigma in denoised(x, sigma: sigma) } }
}
