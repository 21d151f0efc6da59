import CheckCore
import ForwardProcess
import Posterior
import Stochastic

/// The posterior at t under a mutation named by the checks: "inverted-ratio" (β̃ with
/// the ratio (1−ᾱₜ)/(1−ᾱₜ₋₁)), "no-sqrt-alpha" (coef2 without √αₜ), "no-signal-factor"
/// (coef1 without its factor √ᾱₜ₋₁).
func posterior(_ schedule: NoiseSchedule, t: Int, mutation: String?) throws -> ForwardPosterior.Mutable {
    var p = ForwardPosterior.Mutable(try ForwardPosterior(schedule, t: t))
    let (noise, previousNoise, beta) = (schedule.oneMinusAlphaBar(t), schedule.oneMinusAlphaBar(t - 1), schedule.beta(t))
    switch mutation {
    case "inverted-ratio": p.variance = noise / previousNoise * beta
    case "no-sqrt-alpha": p.coef2 = schedule.alpha(t) * previousNoise / noise
    case "no-signal-factor": p.coef1 = beta / noise
    default: break
    }
    return p
}

extension ForwardPosterior {
    /// The posterior's three numbers, open to a check's mutation.
    struct Mutable {
        var coef1: Double, coef2: Double, variance: Double
        init(_ p: ForwardPosterior) { (coef1, coef2, variance) = (p.coef1, p.coef2, p.variance) }
        func mean(x0: Double, xt: Double) -> Double { coef1 * x0 + coef2 * xt }
    }
}

extension ParameterSpec {
    /// x₀ and the noise ε that places xₜ = √ᾱₜ x₀ + √(1−ᾱₜ) ε where the forward process
    /// would put it (a raw xₜ far from √ᾱₜ x₀ is a pair of probability ~0).
    static let pairParameters: [ParameterSpec] = [
        ParameterSpec("x0", .real(-10...10), default: .real(0.8), help: "x₀"),
        ParameterSpec("epsilon", .real(-6...6), default: .real(0.7), help: "ε: xₜ = √ᾱₜ x₀ + √(1−ᾱₜ) ε"),
    ]
}

extension CheckContext {
    /// (x₀, xₜ) at step t from the cell's x₀ and ε.
    func pair(_ schedule: NoiseSchedule, t: Int) -> (x0: Double, xt: Double) {
        let x0 = parameters.real("x0")
        return (x0, ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: parameters.real("epsilon")))
    }
}
