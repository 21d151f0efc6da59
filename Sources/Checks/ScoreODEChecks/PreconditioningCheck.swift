import CheckCore
import CheckKit
import Foundation
import Gaussian
import ScoreODE
import Stochastic

/// EDM's preconditioning gives the network unit-variance inputs and targets.
let preconditioningCheck = CheckDefinition(
    id: "samplers.edm-preconditioning",
    title: "EDM preconditioning: Var(c_in·x) = 1 and Var((x₀ − c_skip·x)/c_out) = 1 for data of std σ_data; λ(σ)·c_out² = 1",
    parameters: [
        ParameterSpec("sigma", .reals(1e-4...1e4), default: .reals([0.002, 0.5, 2, 80]), help: "noise levels σ"),
        ParameterSpec("sigma-data", .real(1e-3...100), default: .real(0.5), help: "σ_data, the data's standard deviation"),
        .samples(default: 1_000_000),
    ],
    mutations: [
        Mutation("c-out-no-sqrt", "c_out = σ·σ_data/(σ² + σ_data²), the square root forgotten"),
        Mutation("c-skip-linear", "c_skip = σ_data/(σ + σ_data), standard deviations for variances"),
    ],
    run: preconditioningRows
)

@Sendable
func preconditioningRows(_ context: CheckContext) throws -> [CheckRow] {
    let preconditioning = EDMPreconditioning(sigmaData: context.parameters.real("sigma-data"))
    let sigmaData = preconditioning.sigmaData
    let levels = context.parameters.reals("sigma")
    guard !levels.isEmpty else { throw CheckFailure("give at least one σ") }
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for sigma in levels {
        let cSkip = context.mutated("c-skip-linear") ? sigmaData / (sigma + sigmaData) : preconditioning.cSkip(sigma)
        let cOut = context.mutated("c-out-no-sqrt") ? sigma * sigmaData / (sigma * sigma + sigmaData * sigmaData) : preconditioning.cOut(sigma)
        var input = MomentAccumulator(), target = MomentAccumulator()
        for _ in 0..<context.samples {
            let x0 = sigmaData * stream.normal()
            let x = x0 + sigma * stream.normal()
            input.add(preconditioning.cIn(sigma) * x)
            target.add((x0 - cSkip * x) / cOut)
        }
        rows.append(.monteCarlo("σ=\(shortNumber(sigma)): Var(c_in·x)", closedForm: 1, estimate: input.varianceEstimate))
        rows.append(.monteCarlo("σ=\(shortNumber(sigma)): Var(target of F)", closedForm: 1, estimate: target.varianceEstimate))
        rows.append(.exact("σ=\(shortNumber(sigma)): λ(σ)·c_out²", closedForm: preconditioning.lossWeight(sigma) * cOut * cOut,
                           exact: 1, relativeTolerance: 1e-12))
    }
    return rows
}
