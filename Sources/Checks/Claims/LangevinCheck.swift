import CheckCore
import CheckKit
import Foundation
import Gaussian
import ScoreODE
import Stochastic
import ToyDiffusion

/// 002: run long enough with a small enough step, Langevin dynamics samples p. Qualified: at a
/// finite step δ the chain samples a biased law; for a Gaussian target its variance is
/// σ²/(1 − δ/(4σ²)), not σ². Both halves are checked: a mixture target with a small δ (KS
/// against the mixture's CDF), a 2-D mixture with a small δ (KS on four projections, each an
/// exact 1-D mixture), and a Gaussian target with a large δ (the biased variance).
let langevinCheck = CheckDefinition(
    id: "notes.langevin",
    title: "Langevin x ← x + (δ/2)∇log p + √δ ε samples p as δ → 0; at finite δ a Gaussian target's variance is σ²/(1 − δ/4σ²)",
    parameters: [
        ParameterSpec("chains", .integer(100...1_000_000), default: .integer(20_000), help: "independent chains"),
        ParameterSpec("steps", .integer(10...100_000), default: .integer(2000), help: "steps per chain"),
        ParameterSpec("delta", .real(1e-4...1), default: .real(0.02), help: "small step δ for the mixture"),
        ParameterSpec("largeDelta", .real(1e-3...3.9), default: .real(1), help: "large step δ for the N(0, 1) target"),
    ],
    mutations: [Mutation("no-half", "x ← x + δ∇log p + √δ ε: the drift's ½ dropped")],
    verdict: .qualified,
    sources: [Note.n002.at("380–384")]
) { context in
    let chains = context.parameters.integer("chains"), steps = context.parameters.integer("steps")
    // The mutation's drift δ·∇log p is the step's (δ/2)·(2∇log p).
    let scoreScale = context.mutated("no-half") ? 2.0 : 1.0
    let mixture = GaussianMixture(weight: 0.4, first: Gaussian(mean: -1, variance: 0.36), second: Gaussian(mean: 1.2, variance: 0.49))
    var stream = context.randomStream
    // Small δ on the mixture, every chain started at 0.
    let delta = context.parameters.real("delta")
    var finals: [Double] = []
    finals.reserveCapacity(chains)
    for _ in 0..<chains {
        var x = 0.0
        for _ in 0..<steps { x = Langevin.step(x, score: scoreScale * mixture.score(x), delta: delta, z: stream.normal()) }
        finals.append(x)
    }
    // Large δ on N(0, 1): a = 1 − δ/2 per step, so 200 steps forget the start (a²⁰⁰ ≤ 0.5²⁰⁰ for δ = 1).
    let large = context.parameters.real("largeDelta")
    let target = Gaussian.standard
    let gaussianSteps = Int((Foundation.log(1e-12) / Foundation.log(abs(1 - large / 2))).rounded(.up)) + 1
    let gaussianFinals = MonteCarlo.moments(samples: chains, stream: &stream) { s in
        var x = 0.0
        for _ in 0..<min(gaussianSteps, 100_000) {
            x = Langevin.step(x, score: scoreScale * (-(x - target.mean) / target.variance), delta: large, z: s.normal())
        }
        return x
    }
    let biased = Langevin.stationaryVariance(targetVariance: target.variance, delta: large)
    // Small δ on a 2-D mixture: the toy model's mixture and Langevin step.
    let planar = try GaussianMixture2D([
        .init(weight: 0.5, mean: Point2(-1, 0.5), standardDeviation: 0.5),
        .init(weight: 0.5, mean: Point2(1, -0.5), standardDeviation: 0.6),
    ])
    var points: [Point2] = []
    points.reserveCapacity(chains)
    for _ in 0..<chains {
        var x = Point2(0, 0)
        for _ in 0..<steps {
            let g = planar.score(x)
            x = LangevinDynamics.step(x, score: Point2(scoreScale * g.x, scoreScale * g.y), delta: delta, z: Point2(stream.normal(), stream.normal()))
        }
        points.append(x)
    }
    // u·x is the 1-D mixture of N(u·μₖ, sₖ²) (u a unit vector), whose CDF is exact.
    let projections = [(1.0, 0.0), (0.0, 1.0), (0.6, 0.8), (0.8, -0.6)].map { u -> CheckRow in
        let c = planar.components
        let law = GaussianMixture(
            weight: c[0].weight,
            first: Gaussian(mean: u.0 * c[0].mean.x + u.1 * c[0].mean.y, variance: c[0].variance),
            second: Gaussian(mean: u.0 * c[1].mean.x + u.1 * c[1].mean.y, variance: c[1].variance))
        return .distribution("2-D mixture, δ=\(shortNumber(delta)): law of (\(shortNumber(u.0)), \(shortNumber(u.1)))·x (KS)",
                             samples: points.map { u.0 * $0.x + u.1 * $0.y }, cdf: law.cdf)
    }
    return [
        .distribution("mixture, δ=\(shortNumber(delta)), \(steps) steps: law of x (KS)", samples: finals, cdf: mixture.cdf),
    ] + projections + [
        .monteCarlo("N(0,1), δ=\(shortNumber(large)): Var(x) = σ²/(1 − δ/4σ²)", closedForm: biased,
                    estimate: gaussianFinals.varianceEstimate),
        .holds("N(0,1), δ=\(shortNumber(large)): bias of the variance, (closed − σ²)/σ²", value: biased - 1,
               rule: "= δ/(4σ² − δ) > 0", pass: abs((biased - 1) - large / (4 - large)) <= 1e-12),
    ]
}
