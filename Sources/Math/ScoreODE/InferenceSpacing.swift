import Foundation

/// How a sampler with K < T steps picks diffusers' 0-based timesteps τ (Lin et al. 2024,
/// Table 2): the spacings scheduler configurations name (`timestep_spacing`). `lessons verify`
/// checks other code's timesteps against them; the `samplers.ddim-spacing` check shows that DDIM
/// with η = 0 stays exact along each of them.
public enum InferenceSpacing: String, CaseIterable, Sendable {
    case leading
    case linspace
    case trailing

    /// The K inference timesteps (0-based τ, from the top down) a scheduler with this spacing
    /// visits, as Lin et al. (2024, Table 2) define the three spacings and diffusers computes
    /// them (NumPy's rounding: half to even):
    ///
    /// - linspace: round(linspace(0, T − 1, K)), reversed;
    /// - leading: (0, 1, …, K − 1)·⌊T/K⌋ + offset, reversed — never visits τ = T − 1;
    /// - trailing: round(T − i·T/K) − 1 for i = 0 … K − 1 — always starts at τ = T − 1.
    public func timesteps(_ k: Int, trainSteps: Int, offset: Int) -> [Int] {
        let t = Double(trainSteps)
        switch self {
        case .linspace:
            guard k > 1 else { return [0] }
            let step = (t - 1) / Double(k - 1)
            return (0..<k).map { i in i == k - 1 ? trainSteps - 1 : Int((Double(i) * step).rounded(.toNearestOrEven)) }.reversed()
        case .leading:
            let ratio = trainSteps / k
            return (0..<k).map { $0 * ratio + offset }.reversed()
        case .trailing:
            let ratio = t / Double(k)
            var values: [Int] = []
            var i = 0
            while true {
                let x = t + Double(i) * -ratio
                guard x > 0 else { break }
                values.append(Int(x.rounded(.toNearestOrEven)) - 1)
                i += 1
            }
            return values
        }
    }
}
