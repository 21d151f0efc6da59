import Gaussian
import Stochastic

/// The forward (noising) process of DDPM on a given schedule.
public enum ForwardProcess {
    /// One step q(xₜ | xₜ₋₁) = N(√αₜ xₜ₋₁, βₜ) (DDPM eq. 2), per coordinate.
    public static func step(_ schedule: NoiseSchedule, t: Int, from previous: Double) -> Gaussian {
        Gaussian(mean: schedule.alpha(t).squareRoot() * previous, variance: schedule.beta(t))
    }

    /// The closed form q(xₜ | x₀) = N(√ᾱₜ x₀, 1 − ᾱₜ) (DDPM eq. 4), per coordinate.
    public static func marginal(_ schedule: NoiseSchedule, t: Int, from x0: Double) -> Gaussian {
        Gaussian(mean: schedule.sqrtAlphaBar(t) * x0, variance: schedule.oneMinusAlphaBar(t))
    }

    /// xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε: a draw of q(xₜ | x₀) by reparameterization.
    public static func noised(_ schedule: NoiseSchedule, t: Int, x0: Double, epsilon: Double) -> Double {
        noised(x0: x0, epsilon: epsilon, signal: schedule.sqrtAlphaBar(t), noise: schedule.sqrtOneMinusAlphaBar(t))
    }

    /// The same with the scales given, `signal` = √ᾱₜ and `noise` = √(1 − ᾱₜ), over
    /// `ScheduleScalar` (`lessons verify` checks someone's `q_sample` with it).
    public static func noised<R: ScheduleScalar>(x0: R, epsilon: R, signal: R, noise: R) -> R { signal * x0 + noise * epsilon }

    /// Runs the Markov chain x₀ → x₁ → ⋯ → xₜ, one noising step at a time, on every
    /// coordinate of `x` in place (1-D is a one-element array).
    public static func simulateChain(_ schedule: NoiseSchedule, steps t: Int, _ x: inout [Double], stream: inout RandomStream) {
        guard t >= 1 else { return }
        for s in 1...t {
            let scale = schedule.alpha(s).squareRoot(), noise = schedule.beta(s).squareRoot()
            for i in x.indices { x[i] = scale * x[i] + noise * stream.normal() }
        }
    }

    /// The chain's value after t steps from a single starting point.
    public static func simulateChain(_ schedule: NoiseSchedule, steps t: Int, from x0: Double, stream: inout RandomStream) -> Double {
        var x = [x0]
        simulateChain(schedule, steps: t, &x, stream: &stream)
        return x[0]
    }
}
