import CheckCore
import CheckKit
import Foundation
import Gaussian
import ScoreODE

/// Each solver's order of convergence, measured on Gaussian data, where the probability-flow
/// ODE has a closed-form solution and the global error at K steps is exact.
let orderCheck = CheckDefinition(
    id: "samplers.order",
    title: "Orders of convergence, measured: global error ∝ K^−p with p = 1 (Euler), 2 (Heun, DPM-Solver-2, DPM-Solver++(2M)), 3 (DPM-Solver-3)",
    parameters: [
        ParameterSpec("solver", .choice(["all"] + ODESolver.allCases.map(\.rawValue)), default: .text("all"), help: "the solver, or all"),
        ParameterSpec("mean", .real(-5...5), default: .real(0.3), help: "data mean m"),
        ParameterSpec("data-variance", .real(1e-4...25), default: .real(0.25), help: "data variance s²"),
        ParameterSpec("start", .real(-6...6), default: .real(1.3), help: "x at σ_max is m + start·√(s² + σ_max²)"),
        ParameterSpec("sigma-min", .real(1e-4...1), default: .real(0.002), help: "σ_min, where the error is measured"),
        ParameterSpec("sigma-max", .real(1...1000), default: .real(80), help: "σ_max"),
        ParameterSpec("steps", .integers(1...100_000), default: .integers([32, 64, 128, 256]), help: "step counts K, increasing"),
    ],
    mutations: [
        Mutation("euler-score-slope", "Euler stepped along the negative score (x − D)/σ² instead of the ODE's slope (x − D)/σ"),
        Mutation("heun-weights", "Heun's corrector weighs the two slopes ¾ and ¼ instead of ½ and ½"),
        Mutation("heun-no-correction", "Heun without its corrector (the predictor kept)"),
        Mutation("dpm2-full-step", "DPM-Solver-2's intermediate point moved with e^h − 1 instead of e^{h/2} − 1"),
        Mutation("dpm3-coefficient", "DPM-Solver-3's last correction without its factor 1/r₂"),
        Mutation("dpmpp2m-no-correction", "DPM-Solver++(2M) without the multistep correction (D for D + (D − D_prev)/2r)"),
    ],
    run: orderRows
)

@Sendable
func orderRows(_ context: CheckContext) throws -> [CheckRow] {
    let p = context.parameters
    let flow = GaussianDataFlow(data: Gaussian(mean: p.real("mean"), variance: p.real("data-variance")))
    let (minimum, maximum) = (p.real("sigma-min"), p.real("sigma-max"))
    let counts = p.integers("steps")
    guard counts.count >= 2, zip(counts, counts.dropFirst()).allSatisfy({ $0 < $1 }) else {
        throw CheckFailure("steps must list at least two increasing step counts (got \(counts))")
    }
    guard minimum < maximum else { throw CheckFailure("σ_min must be below σ_max") }
    let solvers = p.text("solver") == "all" ? ODESolver.allCases : ODESolver.allCases.filter { $0.rawValue == p.text("solver") }
    let study = ConvergenceStudy(flow: flow, sigmaMin: minimum, sigmaMax: maximum, start: p.real("start"))
    var rows: [CheckRow] = []
    for solver in solvers {
        var errors: [Double] = []
        for count in counts {
            let levels = try study.levels(steps: count)
            let error = try planted(solver, context.mutation, study.initial, levels, flow).map { abs($0 - study.exact) }
                ?? study.error(solver, steps: count)
            errors.append(error)
            rows.append(.holds("\(solver.rawValue), K=\(count): |x(σ_min) − exact|", value: error, rule: "reported", pass: error.isFinite))
        }
        rows += try ObservedOrder.rows("\(solver.rawValue), ", counts: counts, errors: errors, order: solver.order)
    }
    return rows
}

/// The solver with the check's planted mistake, or nil when the mutation is not about it.
func planted(_ solver: ODESolver, _ mutation: String?, _ start: Double, _ sigmas: [Double], _ flow: GaussianDataFlow) -> Double? {
    let d = flow.denoised
    let steps = Array(zip(sigmas, sigmas.dropFirst()))
    switch (solver, mutation) {
    case (.euler, "euler-score-slope"):
        return steps.reduce(start) { x, s in x + (s.1 - s.0) * (x - d(x, s.0)) / (s.0 * s.0) }
    case (.heun, "heun-weights"), (.heun, "heun-no-correction"):
        let w = mutation == "heun-weights" ? 0.25 : 0
        return steps.reduce(start) { x, s in
            let slope = (x - d(x, s.0)) / s.0
            let predicted = x + (s.1 - s.0) * slope
            return x + (s.1 - s.0) * ((1 - w) * slope + w * (predicted - d(predicted, s.1)) / s.1)
        }
    case (.dpmSolver2, "dpm2-full-step"):
        return steps.reduce(start) { x, s in
            let h = Foundation.log(s.0 / s.1), mid = s.0 * Foundation.exp(-h / 2)
            let u = x - mid * Foundation.expm1(h) * (x - d(x, s.0)) / s.0
            return x - s.1 * Foundation.expm1(h) * (u - d(u, mid)) / mid
        }
    case (.dpmSolver3, "dpm3-coefficient"):
        return steps.reduce(start) { x, s in
            let h = Foundation.log(s.0 / s.1), (r1, r2) = (1.0 / 3, 2.0 / 3)
            let (s1, s2) = (s.0 * Foundation.exp(-r1 * h), s.0 * Foundation.exp(-r2 * h))
            func eps(_ u: Double, _ level: Double) -> Double { (u - d(u, level)) / level }
            let e0 = eps(x, s.0)
            let d1 = eps(x - s1 * Foundation.expm1(r1 * h) * e0, s1) - e0
            let u2 = x - s2 * Foundation.expm1(r2 * h) * e0 - s2 * r2 / r1 * (Foundation.expm1(r2 * h) / (r2 * h) - 1) * d1
            let d2 = eps(u2, s2) - e0
            return x - s.1 * Foundation.expm1(h) * e0 - s.1 * (Foundation.expm1(h) / h - 1) * d2
        }
    case (.dpmPlusPlus2M, "dpmpp2m-no-correction"):
        return steps.reduce(start) { x, s in (s.1 / s.0) * x - Foundation.expm1(-Foundation.log(s.0 / s.1)) * d(x, s.0) }
    default:
        return nil
    }
}
