import CheckCore
import CheckKit
import ForwardProcess
import ScoreODE

/// xₜ/√ᾱₜ = x₀ + σₜε, the model input x/√(σ² + 1) = xₜ, and init_noise_sigma² = 1/ᾱ_T.
let sigmaSpaceCheck = CheckDefinition(
    id: "score.sigma-space",
    title: "σ-space: xₜ/√ᾱₜ = x₀ + σₜε with σₜ = √((1−ᾱₜ)/ᾱₜ); x/√(σₜ²+1) gives back xₜ; init_noise_sigma = √(σ²+1) = 1/√ᾱ at t = T",
    parameters: [
        .schedule(), .steps(), .timesteps([1, 10, 500, 1000]),
        ParameterSpec("x0", .real(-10...10), default: .real(0.8), help: "x₀"),
        ParameterSpec("epsilon", .real(-6...6), default: .real(0.7), help: "ε: xₜ = √ᾱₜ x₀ + √(1−ᾱₜ) ε"),
    ],
    mutations: [
        Mutation("sigma-no-ratio", "σₜ = √(1 − ᾱₜ), the VP noise scale, used as the VE σ"),
        Mutation("input-no-sqrt", "scale_model_input divides by σ² + 1 instead of √(σ² + 1)"),
    ],
    run: sigmaSpaceRows
)

@Sendable
func sigmaSpaceRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let (x0, epsilon) = (context.parameters.real("x0"), context.parameters.real("epsilon"))
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        guard schedule.alphaBar(t) > 0 else { throw CheckFailure("t = \(t): ᾱₜ = 0, so σₜ is infinite (zero terminal SNR has no σ-space at t = T)") }
        let xt = ForwardProcess.noised(schedule, t: t, x0: x0, epsilon: epsilon)
        let sigma = context.mutated("sigma-no-ratio") ? schedule.sqrtOneMinusAlphaBar(t) : schedule.sigma(t)
        let scaled = x0 + sigma * epsilon
        rows.append(.exact("t=\(t): x₀ + σₜε vs xₜ/√ᾱₜ", closedForm: scaled, exact: xt / schedule.sqrtAlphaBar(t),
                           relativeTolerance: 1e-12, floor: 1))
        let input = context.mutated("input-no-sqrt") ? scaled / (sigma * sigma + 1) : scaled * SigmaSpace.modelInputScale(sigma: sigma)
        rows.append(.exact("t=\(t): x/√(σₜ²+1) vs xₜ", closedForm: input, exact: xt, relativeTolerance: 1e-12, floor: 1))
    }
    let t = schedule.steps
    if schedule.alphaBar(t) > 0 {
        rows.append(.exact("t=\(t): init_noise_sigma √(σₜ²+1) vs 1/√ᾱₜ", closedForm: schedule.initNoiseSigma,
                           exact: 1 / schedule.sqrtAlphaBar(t), relativeTolerance: 1e-12))
    }
    return rows
}
