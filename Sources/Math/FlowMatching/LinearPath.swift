/// The linear (rectified-flow) path of flow matching (Lipman et al. 2023; Liu et al. 2023;
/// SD3, Esser et al. 2024, eq. 3 with a_t = 1 − t, b_t = t): for t ∈ [0, 1],
///
/// xₜ = (1 − t)·x₀ + t·ε, with ε ~ N(0, I),
///
/// so t = 0 is the data and t = 1 pure noise. Its velocity is dxₜ/dt = ε − x₀, the target of
/// the network u_θ(xₜ, t). Given xₜ and a velocity u, the two ends follow exactly:
/// x₀ = xₜ − t·u and ε = xₜ + (1 − t)·u.
public struct LinearPath: Sendable, Equatable {
    public let t: Double

    public init(t: Double) { self.t = t }

    public func sample(x0: Double, epsilon: Double) -> Double { (1 - t) * x0 + t * epsilon }

    /// The velocity target ε − x₀.
    public static func velocity(x0: Double, epsilon: Double) -> Double { epsilon - x0 }

    public func x0(fromVelocity u: Double, xt: Double) -> Double { xt - t * u }
    public func epsilon(fromVelocity u: Double, xt: Double) -> Double { xt + (1 - t) * u }

    /// The velocity a noise prediction implies: u = (ε − xₜ)/(1 − t), from ε = xₜ + (1 − t)u.
    public func velocity(fromEpsilon epsilon: Double, xt: Double) -> Double { (epsilon - xt) / (1 - t) }

    /// The noise level of the same sample in σ-space: xₜ/(1 − t) = x₀ + σε with σ = t/(1 − t).
    /// So the path is the variance-exploding process with time reparameterized, and its
    /// signal-to-noise ratio is SNR = ((1 − t)/t)².
    public var sigma: Double { t / (1 - t) }

    /// The VP form of the same SNR: xₜ/√((1 − t)² + t²) = √ᾱ x₀ + √(1 − ᾱ) ε with
    /// ᾱ = (1 − t)²/((1 − t)² + t²).
    public var alphaBar: Double { (1 - t) * (1 - t) / ((1 - t) * (1 - t) + t * t) }

    /// The VP scale: xₜ = scale · x_vp with scale = √((1 − t)² + t²).
    public var vpScale: Double { ((1 - t) * (1 - t) + t * t).squareRoot() }

    /// v-prediction's target (Salimans & Ho 2022) at the same SNR, from the flow velocity:
    /// v = √ᾱ ε − √(1 − ᾱ) x₀ = ((1 − t)ε − t x₀)/√((1 − t)² + t²), with x₀, ε from (xₜ, u).
    public func v(fromVelocity u: Double, xt: Double) -> Double {
        ((1 - t) * epsilon(fromVelocity: u, xt: xt) - t * x0(fromVelocity: u, xt: xt)) / vpScale
    }
}
