import ArgumentParser
import ForwardProcess
import Posterior
import Sampling
import ScoreODE
import ToyDiffusion

/// The samplers a command offers (`sample`, `generate`, `eval latent`): one list, one order.
enum SamplerChoice: String, ExpressibleByArgument, CaseIterable {
    case ddpm, ddim, euler, heun
    case eulerAncestral = "euler-a"
    case dpmPlusPlus2M = "dpm++2m"

    static let help = "ddpm (every one of the T steps, Algorithm 2), or over --steps K steps: ddim (trailing spacing), and in σ-space euler (= DDIM η = 0), heun (2K − 1 network evaluations), euler-a (= DDIM η = 1), dpm++2m."
    static let spacingHelp = "euler, heun, euler-a, dpm++2m: which K of the T training steps to visit: trailing (t = round(jT/K) for j = K … 1: T, …, about T/K, diffusers' trailing), karras (Karras et al.'s ρ = 7 σ levels between σ₁ and σ_T, each on its nearest training step) or log-snr (levels evenly spaced in log σ, placed the same way). ddim is always trailing."

    /// The sampler a choice names.
    func kind(steps: Int, eta: Double, variance: ReverseVariance, spacing: TimestepSpacing) -> SamplerKind {
        switch self {
        case .ddpm: return .ddpm(variance: variance)
        case .ddim: return .ddim(steps: steps, eta: eta)
        case .euler: return .ode(solver: .euler, steps: steps, spacing: spacing)
        case .heun: return .ode(solver: .heun, steps: steps, spacing: spacing)
        case .eulerAncestral: return .eulerAncestral(steps: steps, spacing: spacing)
        case .dpmPlusPlus2M: return .ode(solver: .dpmPlusPlus2M, steps: steps, spacing: spacing)
        }
    }

    /// One line: the sampler, its timesteps and its network evaluations.
    static func describe(_ kind: SamplerKind, schedule: NoiseSchedule) -> String {
        let path = kind.timesteps(of: schedule)
        let shown = path.count <= 6 ? path.map(String.init).joined(separator: ", ")
            : (path.prefix(3).map(String.init) + ["…"] + path.suffix(2).map(String.init)).joined(separator: ", ")
        let name: String, spacing: String
        switch kind {
        case .ddpm: (name, spacing) = ("ddpm", "every step")
        case .ddim: (name, spacing) = ("ddim", "trailing spacing")
        case .ode(let solver, _, let s): (name, spacing) = ("\(solver.rawValue) in σ-space", "\(s.rawValue) spacing")
        case .eulerAncestral(_, let s): (name, spacing) = ("euler-a in σ-space", "\(s.rawValue) spacing")
        }
        return "sampler \(name): \(path.count) steps (\(spacing): t = \(shown), then 0), \(kind.evaluations(of: schedule)) network evaluations"
    }
}

extension TimestepSpacing: ExpressibleByArgument {}
