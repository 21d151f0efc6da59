import Gaussian

/// The flow-matching ODE solved in closed form for data x₀ ~ N(m, s²) on the linear path:
///
/// - xₜ ~ N((1 − t)m, (1 − t)²s² + t²);
/// - the optimal velocity is u*(x, t) = E[ε − x₀ | xₜ = x], linear in x (x₀, ε and xₜ are
///   jointly Gaussian);
/// - along dx/dt = u*, (x − (1 − t)m)/√((1 − t)²s² + t²) stays fixed, so the flow carries
///   N(0, 1) at t = 1 onto N(m, s²) at t = 0.
public struct GaussianDataVelocity: Sendable {
    public let data: Gaussian

    public init(data: Gaussian) { self.data = data }

    /// The law of xₜ.
    public func marginal(_ t: Double) -> Gaussian {
        Gaussian(mean: (1 - t) * data.mean, variance: (1 - t) * (1 - t) * data.variance + t * t)
    }

    /// E[x₀ | xₜ = x] = m + (1 − t)s²/Var(xₜ)·(x − (1 − t)m).
    public func denoised(_ x: Double, t: Double) -> Double {
        data.mean + (1 - t) * data.variance / marginal(t).variance * (x - (1 - t) * data.mean)
    }

    /// u*(x, t) = ε̂ − x̂₀, with x̂₀ = E[x₀ | xₜ = x] and ε̂ = (x − (1 − t)x̂₀)/t read off the
    /// path (so t > 0).
    public func velocity(_ x: Double, t: Double) -> Double {
        let x0 = denoised(x, t: t)
        return (x - (1 - t) * x0) / t - x0
    }

    /// The exact flow: x at t₁ from x at t₀.
    public func transport(_ x: Double, from t0: Double, to t1: Double) -> Double {
        let (law0, law1) = (marginal(t0), marginal(t1))
        return law1.mean + (x - law0.mean) * (law1.variance / law0.variance).squareRoot()
    }
}
