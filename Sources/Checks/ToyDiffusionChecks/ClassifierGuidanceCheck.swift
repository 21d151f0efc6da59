import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Gaussian
import Posterior
import Sampling
import ScoreODE
import Stochastic
import ToyDiffusion

/// Classifier guidance on the eight Gaussians with each component as a class: the noised
/// classifier pₜ(y|x) = π_y qₜ(x|y)/qₜ(x) is exact, so its gradient, the guided ε and DDPM
/// sampling with the guided ε are checked against the class itself (through the exact law of
/// DDPM's chain for that class's Gaussian).
let classifierGuidanceCheck = CheckDefinition(
    id: "toy.classifier-guidance",
    title: "Classifier guidance on the eight Gaussians: ∇log pₜ(y|x) against its five-point difference, ε̃ = ε* − s√(1−ᾱₜ)∇log pₜ(y|x) at s = 1 is the class's ε*, and DDPM with it samples the class's exact chain law",
    parameters: [
        ParameterSpec("class", .integer(1...8), default: .integer(3), help: "the guided component y, counted from 1 (at angle 2π(y−1)/8)"),
        .timesteps([10, 200, 600]),
        ParameterSpec("reverseVariance", .choice(of: ReverseVariance.self), default: .text("large"), help: "the guided DDPM's σₜ² = β̃ₜ (small) or βₜ (large)"),
        .samples(default: 4000),
    ],
    mutations: [
        Mutation("gradient-sign", "the classifier's gradient subtracted (ε̃ = ε* + s√(1−ᾱₜ)∇log p(y|x))"),
        Mutation("no-noise-scale", "ε̃ = ε* − s∇log p(y|x), without the factor √(1−ᾱₜ)"),
        Mutation("likelihood-gradient", "∇log qₜ(x|y) added in place of the classifier's ∇log pₜ(y|x)"),
    ],
    run: classifierGuidanceRows
)

/// The plants of `toy.classifier-guidance`, applied where the guided ε is formed.
enum GuidancePlant: Sendable { case none, gradientSign, noNoiseScale, likelihoodGradient }

/// ε̃ = ε*(x) − s√(1−ᾱₜ)∇log pₜ(y|x) per coordinate, with the exact ε* of the data and the
/// exact noised classifier of class y: the network of a perfectly trained model and a
/// perfectly trained noisy classifier.
struct GuidedExactEpsilon: EpsilonPredictor {
    let data: GaussianMixture2D, classData: GaussianMixture2D, schedule: NoiseSchedule
    let scale: Double, plant: GuidancePlant
    var dimensions: Int { 2 }

    /// The exact denoisers of the data and of the class at step t.
    func denoisers(t: Int) throws -> (all: OptimalDenoiser, one: OptimalDenoiser) {
        (try OptimalDenoiser(data: data, schedule: schedule, t: t), try OptimalDenoiser(data: classData, schedule: schedule, t: t))
    }

    /// The guided ε at step t.
    func guided(_ x: Point2, t: Int) throws -> Point2 {
        try guided(x, t: t, denoisers(t: t))
    }

    /// The guided ε at step t, with that step's denoisers.
    func guided(_ x: Point2, t: Int, _ denoisers: (all: OptimalDenoiser, one: OptimalDenoiser)) -> Point2 {
        let (all, one) = denoisers
        let (epsilon, score, classScore) = (all.epsilon(x), all.score(x), one.score(x))
        let noise = plant == .noNoiseScale ? 1 : schedule.sqrtOneMinusAlphaBar(t)
        func coordinate(_ e: Double, _ s: Double, _ c: Double) -> Double {
            var gradient = ClassifierGuidance.classifierGradient(conditionalScore: c, unconditionalScore: s)
            if plant == .gradientSign { gradient = -gradient }
            if plant == .likelihoodGradient { gradient = c }
            return ClassifierGuidance.guidedEpsilon(e, classifierGradient: gradient, scale: scale, noise: noise)
        }
        return Point2(coordinate(epsilon.x, score.x, classScore.x), coordinate(epsilon.y, score.y, classScore.y))
    }

    func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>) {
        // t = index + 1 lies in 1…T, where the denoisers exist; built once per step.
        guard let step = try? denoisers(t: index + 1) else { preconditionFailure("step \(index + 1) outside 1…\(schedule.steps)") }
        for i in 0..<count {
            let e = guided(Point2(Double(points[2 * i]), Double(points[2 * i + 1])), t: index + 1, step)
            output[2 * i] = Float(e.x)
            output[2 * i + 1] = Float(e.y)
        }
    }
}

@Sendable
func classifierGuidanceRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try NoiseSchedule.linear()
    let data = GaussianMixture2D.eightGaussians
    let y = context.parameters.integer("class") - 1
    let component = data.components[y]
    let classData = try GaussianMixture2D([.init(weight: 1, mean: component.mean, standardDeviation: component.standardDeviation)])
    let plant: GuidancePlant = context.mutated("gradient-sign") ? .gradientSign
        : context.mutated("no-noise-scale") ? .noNoiseScale : context.mutated("likelihood-gradient") ? .likelihoodGradient : .none
    let predictor = GuidedExactEpsilon(data: data, classData: classData, schedule: schedule, scale: 1, plant: plant)
    let points = [Point2(0.5, 0.3), Point2(-0.9, 0.2), Point2(0.1, 0.8)]
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        let (all, one) = (try OptimalDenoiser(data: data, schedule: schedule, t: t), try OptimalDenoiser(data: classData, schedule: schedule, t: t))
        // log pₜ(y|x) = log π_y + log qₜ(x|y) − log qₜ(x), differentiated from its values alone.
        let logPosterior = { (x: Point2) in Foundation.log(component.weight) + one.marginal.logDensity(x) - all.marginal.logDensity(x) }
        var worstGradient = (gap: -1.0, value: 0.0, reference: 0.0), worstEpsilon = (gap: -1.0, value: 0.0, reference: 0.0)
        for x in points {
            let reference = fivePointGradient(logPosterior, at: x, step: 1e-3 * one.marginal.components[0].standardDeviation)
            // The gradient the guided ε used: ε* − ε̃ = s√(1−ᾱₜ)∇log pₜ(y|x), read back with the true noise scale.
            let guided = try predictor.guided(x, t: t), epsilon = all.epsilon(x)
            let noise = schedule.sqrtOneMinusAlphaBar(t)
            let used = Point2((epsilon.x - guided.x) / noise, (epsilon.y - guided.y) / noise)
            for (value, exact) in [(used.x, reference.x), (used.y, reference.y)] {
                let gap = abs(value - exact) / max(abs(exact), 1)
                if gap > worstGradient.gap { worstGradient = (gap, value, exact) }
            }
            let classEpsilon = one.epsilon(x)
            for (value, exact) in [(guided.x, classEpsilon.x), (guided.y, classEpsilon.y)] {
                let gap = abs(value - exact) / max(abs(exact), 1)
                if gap > worstEpsilon.gap { worstEpsilon = (gap, value, exact) }
            }
        }
        rows.append(.exact("t=\(t): the gradient in ε̃ vs five-point difference of log pₜ(y|x), worst coordinate",
                           closedForm: worstGradient.value, exact: worstGradient.reference, floor: 1))
        rows.append(.exact("t=\(t): ε̃ at s = 1 vs the class's ε*, worst coordinate", closedForm: worstEpsilon.value, exact: worstEpsilon.reference, floor: 1))
    }
    // DDPM (Algorithm 2) with the guided ε is DDPM with the class's own ε*: per coordinate the
    // exact reverse chain of N(μ_y, s²) data, whose law the Posterior module computes (with
    // σₜ² = β̃ₜ it ends about 7 % narrower than s², with βₜ about 1.5 % wider, for s = 0.1).
    let variance: ReverseVariance = try context.parameters.choice("reverseVariance")
    let n = context.samples
    let sampler = DiffusionSampler(schedule: schedule, denoiser: predictor)
    let drawn = try sampler.sample(count: n, kind: .ddpm(variance: variance), seed: context.seed &+ context.stream, generator: context.generator).points
    let laws = try [component.mean.x, component.mean.y].map { m in
        try ReverseChain(schedule: schedule, denoiser: GaussianDataDenoiser(data: Gaussian(mean: m, variance: component.variance)), noise: .fixed(variance)).exactLaw()
    }
    let xs = stride(from: 0, to: 2 * n, by: 2).map { Double(drawn[$0]) }, ys = stride(from: 1, to: 2 * n, by: 2).map { Double(drawn[$0]) }
    let squared = zip(xs, ys).map { ($0 - component.mean.x) * ($0 - component.mean.x) + ($1 - component.mean.y) * ($1 - component.mean.y) }
    let spread = zip(laws, [component.mean.x, component.mean.y]).reduce(0) { $0 + $1.0.variance + ($1.0.mean - $1.1) * ($1.0.mean - $1.1) }
    return rows + [
        .monteCarlo("guided DDPM: mean x vs the chain's exact law for class y", closedForm: laws[0].mean, estimate: MomentAccumulator(xs).meanEstimate),
        .monteCarlo("guided DDPM: mean y vs the chain's exact law for class y", closedForm: laws[1].mean, estimate: MomentAccumulator(ys).meanEstimate),
        .monteCarlo("guided DDPM: E‖x₀ − μ_y‖² vs the chain's exact law (2s² = \(shortNumber(2 * component.variance)) for the data)",
                    closedForm: spread, estimate: MomentAccumulator(squared).meanEstimate),
    ]
}
