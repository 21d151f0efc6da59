import ELBO
import ForwardProcess
import Foundation
import Gaussian
import Posterior
import Sampling
import Stochastic

/// The variational bound (DDPM eq. 5) of a model that predicts ε, on held-out 2-D points,
/// term by term, in nats per point:
/// −ELBO(x₀) = L_T + Σ_{t=2}^{T} L_{t−1} + L₀ with
/// - L_T = KL(q(x_T | x₀) ‖ N(0, I)), in closed form (`klDivergence`, per coordinate);
/// - L_{t−1} = E_ε KL(q(xₜ₋₁ | xₜ, x₀) ‖ p_θ(xₜ₋₁ | xₜ)) = 2·KL(N(0, β̃ₜ) ‖ N(0, σₜ²)) +
///   λₜ·E‖ε − ε_θ(xₜ, t)‖² with λₜ = `epsilonWeight` (eq. 12), estimated with one ε per
///   point and step;
/// - L₀ = −log N(x₀; μ_θ(x₁, 1), σ₁² I), σ₁² = β̃₂ (the ELBO module's convention; a
///   density, so for continuous data L₀ and the total may be negative).
/// The model's reverse mean is the ε-form of eq. 11, from `ReverseStep.ancestralMap`.
/// bits/dim = nats / (2 ln 2).
public struct LearnedBound: Sendable {
    /// [L_T, L_{T−1}, …, L₁, L₀]: the mean over the points of each term, nats.
    public let terms: [Double]
    /// The standard error of each mean.
    public let standardErrors: [Double]
    /// The total −ELBO per point (nats), and its standard error (from the per-point totals).
    public let total: MeanEstimate
    /// −ELBO of each point (one ε per point and step), nats.
    public let perPointTotals: [Double]
    public let points: Int

    public var bitsPerDimension: Double { total.mean / (2 * Foundation.log(2)) }

    public init(
        model: any EpsilonPredictor, schedule: NoiseSchedule, variance: ReverseVariance, data: [Point2], seed: UInt64,
        generator: RandomGenerator = .xoshiro
    ) throws {
        try self.init(model: model, schedule: schedule, variance: variance, data: data, seed: seed, generator: generator, weight: epsilonWeight)
    }

    /// `weight` is λₜ as a function of (βₜ, αₜ, 1 − ᾱₜ, σₜ²); checks swap it for a wrong
    /// one to prove they notice.
    package init(
        model: any EpsilonPredictor, schedule: NoiseSchedule, variance: ReverseVariance, data: [Point2], seed: UInt64,
        generator: RandomGenerator = .xoshiro, weight: (_ beta: Double, _ alpha: Double, _ oneMinusAlphaBar: Double, _ sigma2: Double) -> Double
    ) throws {
        let n = data.count, steps = schedule.steps
        guard n >= 2, steps >= 2 else { throw ToyDataError("the bound needs at least 2 points and T ≥ 2 (got \(n) points, T = \(steps))") }
        var stream = RandomStream(seed: seed, stream: 0x424F_554E, generator: generator)
        // perPoint[i][term] with terms ordered L_T, L_{T−1}, …, L₀.
        var perPoint = [[Double]](repeating: [Double](repeating: 0, count: steps + 1), count: n)
        for (i, x0) in data.enumerated() {
            perPoint[i][0] = klDivergence(ForwardProcess.marginal(schedule, t: steps, from: x0.x), .standard)
                + klDivergence(ForwardProcess.marginal(schedule, t: steps, from: x0.y), .standard)
        }
        let decoderVariance = try ForwardPosterior(schedule, t: 2).variance
        var noised = [Float](repeating: 0, count: 2 * n), epsilon = noised, predicted = noised
        for t in 1...steps {
            for i in 0..<n {
                let e = (stream.normal(), stream.normal())
                epsilon[2 * i] = Float(e.0)
                epsilon[2 * i + 1] = Float(e.1)
                noised[2 * i] = Float(ForwardProcess.noised(schedule, t: t, x0: data[i].x, epsilon: e.0))
                noised[2 * i + 1] = Float(ForwardProcess.noised(schedule, t: t, x0: data[i].y, epsilon: e.1))
            }
            noised.withUnsafeBufferPointer { x in
                predicted.withUnsafeMutableBufferPointer { model.predict(x.baseAddress!, count: n, index: t - 1, into: $0.baseAddress!) }
            }
            let term = steps + 1 - t  // position of L_{t−1} in [L_T, …, L₀]
            if t == 1 {
                let map = try ReverseStep.ancestralMap(schedule, t: 1, variance: variance)
                for i in 0..<n {
                    let mean = (map.apply(xt: Double(noised[2 * i]), epsilon: Double(predicted[2 * i]), z: 0),
                                map.apply(xt: Double(noised[2 * i + 1]), epsilon: Double(predicted[2 * i + 1]), z: 0))
                    perPoint[i][term] = -(Gaussian(mean: mean.0, variance: decoderVariance).logDensity(data[i].x)
                        + Gaussian(mean: mean.1, variance: decoderVariance).logDensity(data[i].y))
                }
            } else {
                let sigma2 = variance.value(schedule, t: t)
                let posterior = try ForwardPosterior(schedule, t: t).variance
                let base = 2 * klDivergence(Gaussian(mean: 0, variance: posterior), Gaussian(mean: 0, variance: sigma2))
                let lambda = weight(schedule.beta(t), schedule.alpha(t), schedule.oneMinusAlphaBar(t), sigma2)
                for i in 0..<n {
                    let dx = Double(epsilon[2 * i] - predicted[2 * i]), dy = Double(epsilon[2 * i + 1] - predicted[2 * i + 1])
                    perPoint[i][term] = base + lambda * (dx * dx + dy * dy)
                }
            }
        }
        var terms: [Double] = [], errors: [Double] = []
        for term in 0...steps {
            let estimate = MomentAccumulator(perPoint.lazy.map { $0[term] }).meanEstimate
            terms.append(estimate.mean)
            errors.append(estimate.standardError)
        }
        self.terms = terms
        standardErrors = errors
        perPointTotals = perPoint.map { $0.reduce(0, +) }
        total = MomentAccumulator(perPointTotals).meanEstimate
        points = n
    }
}
