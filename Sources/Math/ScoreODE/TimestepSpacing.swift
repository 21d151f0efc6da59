import Foundation
import ForwardProcess

/// Which of a discrete schedule's timesteps 1…T a sampler with K < T steps visits, from the
/// top down. A discrete-time network has been trained at these steps only, so a sampler
/// that evaluates it at them needs no fractional timestep.
public enum TimestepSpacing: String, CaseIterable, Sendable {
    /// t = round(jT/K) for j = K … 1 (half to even): evenly spaced, always starting at T —
    /// diffusers' `timestep_spacing="trailing"` (Lin et al. 2024 §3.3), `InferenceSpacing.trailing`
    /// counted from t = 1 (τ = t − 1).
    case trailing
    /// Karras et al. (2022, eq. 5) levels with ρ = 7 between σ₁ and σ_T, each moved to the
    /// step whose σₜ is nearest in log σ; where two levels land on one step, the lower one
    /// moves up a step, so the K steps are distinct. Crowds the steps at small t.
    case karras
    /// Levels evenly spaced in log σ, i.e. in λ = −log σ = ½ log SNR, between σ₁ and σ_T,
    /// placed on the grid as for `karras` (Lu et al. 2022's "uniform logSNR"; diffusers'
    /// `use_lu_lambdas`).
    case logSNR = "log-snr"

    /// K distinct timesteps of `schedule`, from T down (K is clamped to 1…T).
    public func timesteps(_ steps: Int, of schedule: NoiseSchedule) -> [Int] {
        let k = min(max(steps, 1), schedule.steps)
        switch self {
        case .trailing:
            return InferenceSpacing.trailing.timesteps(k, trainSteps: schedule.steps, offset: 0)
                .filter { $0 >= 0 }.prefix(k).map { $0 + 1 }
        case .karras, .logSNR:
            guard k > 1, schedule.steps > 1, schedule.alphaBar(schedule.steps) > 0,
                  let levels = try? (self == .karras ? SigmaSpacing.karras : .logUniform)
                    .sigmas(count: k, minimum: schedule.sigma(1), maximum: schedule.sigma(schedule.steps))
            else { return TimestepSpacing.trailing.timesteps(steps, of: schedule) }
            // From the smallest level up: the nearest step, at least one above the previous.
            var chosen: [Int] = []
            for sigma in levels.dropLast().reversed() {
                let floor = (chosen.last ?? 0) + 1
                chosen.append(max(schedule.nearestTimestep(sigma: sigma), floor))
            }
            // The top levels may have been pushed past T: pull them back down in order.
            for i in stride(from: chosen.count - 1, through: 0, by: -1) {
                chosen[i] = min(chosen[i], schedule.steps - (chosen.count - 1 - i))
            }
            return chosen.reversed()
        }
    }
}

extension NoiseSchedule {
    /// The step t in 1…T whose σₜ is nearest to σ in log σ (σₜ increases with t).
    public func nearestTimestep(sigma: Double) -> Int {
        let target = sigma.isFinite && sigma > 0 ? sigma : sigma <= 0 ? 0 : .infinity
        var (low, high) = (1, steps)
        while low < high {
            let middle = (low + high) / 2
            if self.sigma(middle) < target { low = middle + 1 } else { high = middle }
        }
        guard low > 1 else { return 1 }
        let (above, below) = (self.sigma(low), self.sigma(low - 1))
        return Foundation.log(above / target) <= Foundation.log(target / below) ? low : low - 1
    }
}
