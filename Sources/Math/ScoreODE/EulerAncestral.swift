import ForwardProcess

/// The ancestral (stochastic) Euler step of k-diffusion's `sample_euler_ancestral` with η:
/// the move from σ to σ' is split into a deterministic Euler step down to σ_down and fresh
/// noise of scale σ_up, with σ_down² + σ_up² = σ'² so the noise level lands on σ':
///
/// σ_up = min(σ', η·√(σ'²(σ² − σ'²)/σ²)), σ_down = √(σ'² − σ_up²).
///
/// With η = 1 this is exactly DDIM with η = 1 written in the scaled coordinates (its σ_up is
/// DDIM's σₜ(1)/√ᾱ_prev), i.e. the DDPM posterior step; η = 0 is the ODE's Euler step.
public struct AncestralSplit: Sendable, Equatable {
    public let up: Double
    public let down: Double

    /// The split of a step from σ to σ' at ancestral strength η.
    public init(sigma: Double, next: Double, eta: Double = 1) {
        (up, down) = Self.parts(sigma: sigma, next: next, eta: eta)
    }

    /// σ_up and σ_down of a step from σ to σ' at strength η, over `ScheduleScalar` (so
    /// `lessons verify` can bound a library's Float32 split); both 0 when σ' = 0.
    public static func parts<R: ScheduleScalar>(sigma: R, next: R, eta: R) -> (up: R, down: R) {
        guard next.doubleValue > 0 else { return (R(0), R(0)) }
        let up = R.minimum(next, eta * (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot())
        return (up, (next * next - up * up).squareRoot())
    }

    /// A split given directly (a check plants wrong ones).
    public init(up: Double, down: Double) { (self.up, self.down) = (up, down) }

    /// x' = x + (σ_down − σ)(x − D)/σ + σ_up·z, as a combination of x, D and the noise z.
    public func step<State: SamplerState>(_ x: State, denoised: State, sigma: Double, noise z: State) -> State {
        let ratio = down / sigma
        return .combination([(ratio, x), (1 - ratio, denoised), (up, z)])
    }
}
