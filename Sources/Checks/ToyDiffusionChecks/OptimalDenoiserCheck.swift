import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Gaussian
import Stochastic
import ToyDiffusion

/// The optimal denoiser of Gaussian-mixture data, proven two ways without its own formulas:
///
/// (a) ε* = −√(1−ᾱₜ) ∇ log q(xₜ) (Tweedie; Song et al. 2021), with the gradient taken by the
///     five-point central difference of log q at points drawn from q(xₜ). The step is
///     h = 10⁻³·min √vₖ, so the truncation error, of order (h/√vₖ)⁴ ≈ 10⁻¹² relative, and
///     the rounding error, about 10⁻¹⁶·|log q|/h ≈ 10⁻¹¹ absolute, sit below the usual
///     tolerance 10⁻⁹, taken relative to |ε*ᵢ| or, if larger, to √(1−ᾱ)/min √vₖ (the size
///     of ε* one standard deviation from a component mean). Observed: ≤ 10⁻¹².
/// (b) ε* is a conditional expectation: E[ε*(xₜ)] = E[ε] = 0 (tower property) and the error
///     is orthogonal to every function of xₜ, in particular E[(ε − ε*(xₜ))·ε*(xₜ)] = 0;
///     Monte Carlo over (x₀, ε), |z| ≤ 5. Power: ε* scaled by 1.01 moves the orthogonality
///     mean by −1.01·0.01·E‖ε*‖²; the row's label gives the |z| that error would reach.
///
/// The data are the eight Gaussians with unequal weights (default 1…8): with equal weights
/// the eight-fold symmetry would make E[f(xₜ)] = 0 for any rotation-equivariant f, and the
/// tower rows would prove nothing.
let optimalDenoiserCheck = CheckDefinition(
    id: "toy.optimal-denoiser",
    title: "Mixture data: ε*(xₜ) = Σₖ rₖ √(1−ᾱ)(xₜ − √ᾱμₖ)/vₖ equals −√(1−ᾱ)∇log q(xₜ) and is E[ε | xₜ]",
    parameters: [
        .schedule(), .steps(), .timesteps([20, 100, 300, 1000]), .samples(default: 1_000_000),
        ParameterSpec("points", .integer(1...10_000), default: .integer(32), help: "points xₜ ~ q(xₜ) for the finite differences, per t"),
        .mixtureWeights(default: (1...8).map(Double.init)),
    ],
    mutations: [
        Mutation("missing-sqrt", "ε* = Σₖ rₖ (xₜ − √ᾱμₖ)/vₖ: the factor √(1−ᾱ) of Cov(ε, xₜ) dropped"),
        Mutation("unnormalized-responsibilities", "ε* = Σₖ πₖN(xₜ; √ᾱμₖ, vₖI)·E[ε|xₜ,k]: weights not divided by q(xₜ)"),
    ],
    run: optimalDenoiserRows
)

/// ε*(xₜ) as the check's mutation (if any) computes it.
func checkedEpsilon(_ denoiser: OptimalDenoiser, _ xt: Point2, mutation: String?) -> Point2 {
    let e = denoiser.epsilon(xt)
    switch mutation {
    case "missing-sqrt":
        let root = denoiser.oneMinusAlphaBar.squareRoot()
        return Point2(e.x / root, e.y / root)
    case "unnormalized-responsibilities":
        // Σₖ πₖNₖ(xₜ) eₖ = q(xₜ) Σₖ rₖ eₖ.
        let q = Foundation.exp(denoiser.marginal.logDensity(xt))
        return Point2(q * e.x, q * e.y)
    default:
        return e
    }
}

/// ∇f(x) by CheckKit's five-point difference along each coordinate (error O(h⁴)).
func fivePointGradient(_ f: (Point2) -> Double, at x: Point2, step h: Double) -> Point2 {
    Point2(fivePointDerivative(at: x.x, step: h) { f(Point2($0, x.y)) }, fivePointDerivative(at: x.y, step: h) { f(Point2(x.x, $0)) })
}

@Sendable
func optimalDenoiserRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let data = try context.mixture
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) {
        let denoiser = try OptimalDenoiser(data: data, schedule: schedule, t: t)
        let (signal, noise) = (schedule.sqrtAlphaBar(t), schedule.sqrtOneMinusAlphaBar(t))
        func noised(_ x0: Point2, _ s: inout RandomStream) -> (xt: Point2, epsilon: Point2) {
            let epsilon = Point2(s.normal(), s.normal())
            return (Point2(signal * x0.x + noise * epsilon.x, signal * x0.y + noise * epsilon.y), epsilon)
        }
        // (a) Finite differences of log q at points drawn from q(xₜ).
        let spread = denoiser.marginal.components.map(\.standardDeviation).min() ?? 1
        let scale = noise / spread
        var worst = (relative: -1.0, closed: 0.0, difference: 0.0)
        for x0 in data.sample(context.parameters.integer("points"), stream: &stream) {
            let xt = noised(x0, &stream).xt
            let gradient = fivePointGradient(denoiser.marginal.logDensity, at: xt, step: 1e-3 * spread)
            let closed = checkedEpsilon(denoiser, xt, mutation: context.mutation)
            for (c, g) in [(closed.x, gradient.x), (closed.y, gradient.y)] {
                let fromScore = -noise * g
                let relative = abs(c - fromScore) / max(abs(fromScore), scale)
                if relative > worst.relative { worst = (relative, c, fromScore) }
            }
        }
        rows.append(.exact(
            "t=\(t): ε*ᵢ vs −√(1−ᾱ)∂ᵢlog q (5-point FD), worst of \(context.parameters.integer("points")) points × 2",
            closedForm: worst.closed, exact: worst.difference, floor: scale))
        // (b) Monte Carlo over (x₀, ε).
        var meanX = MomentAccumulator(), meanY = MomentAccumulator(), orthogonal = MomentAccumulator(), size = MomentAccumulator()
        var worstGap = 0.0  // max ‖ε − ε*‖/‖ε‖, for ᾱₜ = 0
        for x0 in data.sample(context.samples, stream: &stream) {
            let (xt, epsilon) = noised(x0, &stream)
            let e = checkedEpsilon(denoiser, xt, mutation: context.mutation)
            meanX.add(e.x)
            meanY.add(e.y)
            orthogonal.add((epsilon.x - e.x) * e.x + (epsilon.y - e.y) * e.y)
            size.add(e.x * e.x + e.y * e.y)
            let gap = (epsilon.x - e.x) * (epsilon.x - e.x) + (epsilon.y - e.y) * (epsilon.y - e.y)
            worstGap = max(worstGap, (gap / (epsilon.x * epsilon.x + epsilon.y * epsilon.y)).squareRoot())
        }
        rows.append(.monteCarlo("t=\(t): E[ε*₁(xₜ)] = E[ε₁] = 0", closedForm: 0, estimate: meanX.meanEstimate))
        rows.append(.monteCarlo("t=\(t): E[ε*₂(xₜ)] = E[ε₂] = 0", closedForm: 0, estimate: meanY.meanEstimate))
        if schedule.alphaBar(t) == 0 {
            // Zero terminal SNR: xₜ = ε, so ε* = ε and ε − ε* is rounding alone; a z-score of
            // rounding errors means nothing, the exact statement does.
            rows.append(.holds("t=\(t): ᾱₜ = 0, xₜ = ε: max ‖ε − ε*(xₜ)‖/‖ε‖", value: worstGap, rule: "≤ 1e-14", pass: worstGap <= 1e-14))
        } else {
            let power = 1.01 * 0.01 * size.mean / orthogonal.meanEstimate.standardError
            rows.append(.monteCarlo("t=\(t): E[(ε − ε*)·ε*] = 0 (ε* off by 1 % → |z| ≈ \(shortNumber(power.rounded())))",
                                    closedForm: 0, estimate: orthogonal.meanEstimate))
        }
    }
    return rows
}
