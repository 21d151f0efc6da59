import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic
import ToyDiffusion

/// The sample-quality metrics behave as their definitions say, and have a noise floor:
///
/// - shift identity (exact): sorting makes SW₂ blind to the order of the points, and every
///   sorted projection of X + μ is that of X moved by uₚ·μ, so for the same P directions
///   SW₂(X, shuffled(X + μ)) = ((1/P) Σₚ (uₚ·μ)²)^{1/2}, to rounding (rel ≤ 1e-9);
/// - the directions are uniform (Monte Carlo): (uₚ·μ)² = ‖μ‖² cos²θ has mean ‖μ‖²/2 and
///   variance ‖μ‖⁴/8 for θ ~ U[0, 2π);
/// - the noise floor of SW₂ (two independent samples of the data set) is below the distance
///   to the nearest other data set at the same n and directions: at this sample size the
///   metric tells the data sets apart (the floor is reported with the ratio);
/// - unbiasedness (Monte Carlo): over independent pairs of samples of one law, the
///   U-statistics MMD²ᵤ and the energy distance average to 0, with the bandwidth h fixed
///   beforehand by the median heuristic on the first floor sample pair (a bandwidth picked from
///   each pair would make MMD²ᵤ a ratio of statistics, no longer exactly unbiased).
let metricFloorCheck = CheckDefinition(
    id: "toy.metric-floor",
    title: "SW₂(X, X+μ) = √(mean (u·μ)²) exactly; the noise floor of SW₂; MMD²ᵤ and the energy U-statistic average 0 on one law",
    parameters: [
        ParameterSpec("dataset", .choice(of: ToyDataset.self), default: .text("swissroll"), help: "the data set"),
        .samples(default: 2000),
        ParameterSpec("projections", .integer(128...100_000), default: .integer(SlicedWasserstein.defaultProjections), help: "SW₂ directions P"),
        ParameterSpec("shift", .reals(-10...10), default: .reals([0.3, -0.2]), help: "the shift μ = (μ₁, μ₂)"),
        ParameterSpec("replicates", .integer(10...100_000), default: .integer(200), help: "independent sample pairs for the unbiasedness rows"),
        ParameterSpec("replicateSize", .integer(10...100_000), default: .integer(250), help: "points per sample in each pair"),
    ],
    mutations: [
        Mutation("unsorted", "SW₂ pairs the i-th projections as given, without sorting them"),
        Mutation("biased-mmd", "MMD² as the V-statistic: the k(xᵢ, xᵢ) = 1 terms kept (MMD²_b)"),
        Mutation("energy-v-statistic", "energy distance with E‖X − X′‖ averaged over all n² pairs, the zero diagonal included"),
    ],
    run: metricFloorRows
)

/// SW₂ over `directions`, or its unsorted version under the "unsorted" mutation.
func checkedSlicedWasserstein(_ x: [Point2], _ y: [Point2], directions: [Point2], mutation: String?) throws -> Double {
    guard mutation == "unsorted" else { return try SlicedWasserstein.distance(x, y, directions: directions) }
    let total = directions.reduce(0.0) { sum, u in
        sum + zip(x, y).reduce(0.0) { s, pair in
            let d = u.x * (pair.0.x - pair.1.x) + u.y * (pair.0.y - pair.1.y)
            return s + d * d
        } / Double(x.count)
    }
    return (total / Double(directions.count)).squareRoot()
}

@Sendable
func metricFloorRows(_ context: CheckContext) throws -> [CheckRow] {
    let dataset: ToyDataset = try context.parameters.choice("dataset")
    let shift = context.parameters.reals("shift")
    guard shift.count == 2 else { throw CheckFailure("the shift μ needs 2 numbers (got \(shift.count))") }
    let mu = Point2(shift[0], shift[1])
    let n = context.samples
    var stream = context.randomStream
    let directions = SlicedWasserstein.directions(context.parameters.integer("projections"), stream: &stream)
    let x = dataset.sample(n, stream: &stream), other = dataset.sample(n, stream: &stream)
    var rows: [CheckRow] = []

    // Shift identity, against a shuffled copy of X + μ.
    let shifted = shuffled(x.map { Point2($0.x + mu.x, $0.y + mu.y) }, first: x.count, stream: &stream)
    let projected = directions.map { u in (u.x * mu.x + u.y * mu.y) * (u.x * mu.x + u.y * mu.y) }
    let identity = (projected.reduce(0, +) / Double(directions.count)).squareRoot()
    rows.append(.exact("SW₂(X, shuffled X+μ) = √(mean over P of (uₚ·μ)²), n=\(n), P=\(directions.count)",
                       closedForm: try checkedSlicedWasserstein(x, shifted, directions: directions, mutation: context.mutation),
                       exact: identity))
    let squaredNorm = mu.x * mu.x + mu.y * mu.y
    rows.append(.monteCarlo("mean over P directions of (uₚ·μ)² = ‖μ‖²/2", closedForm: squaredNorm / 2,
                            estimate: MomentAccumulator(projected).meanEstimate))

    // The noise floor of SW₂ next to the distance to the other data sets.
    let floor = try checkedSlicedWasserstein(x, other, directions: directions, mutation: context.mutation)
    var nearest = (distance: Double.infinity, name: "")
    for neighbour in ToyDataset.allCases where neighbour != dataset {
        let distance = try checkedSlicedWasserstein(x, neighbour.sample(n, stream: &stream), directions: directions, mutation: context.mutation)
        if distance < nearest.distance { nearest = (distance, neighbour.rawValue) }
    }
    rows.append(.holds("noise floor SW₂(X, X′) of \(dataset.rawValue), n=\(n): \(shortNumber(floor / nearest.distance)) of SW₂ to \(nearest.name)",
                       value: floor, rule: "< SW₂ to the nearest other data set (\(shortNumber(nearest.distance)))", pass: floor < nearest.distance))

    // Unbiasedness of the two U-statistics over independent pairs of one law.
    let h = try MaximumMeanDiscrepancy.medianHeuristic(x, other, seed: context.seed, generator: context.generator)
    let (pairs, size) = (context.parameters.integer("replicates"), context.parameters.integer("replicateSize"))
    let mmdEstimator: PairwiseEstimator = context.mutated("biased-mmd") ? .biased : .unbiased
    let energyEstimator: PairwiseEstimator = context.mutated("energy-v-statistic") ? .biased : .unbiased
    var mmd = MomentAccumulator(), energy = MomentAccumulator()
    for _ in 0..<pairs {
        let a = dataset.sample(size, stream: &stream), b = dataset.sample(size, stream: &stream)
        mmd.add(try MaximumMeanDiscrepancy.squared(a, b, bandwidth: h, subsample: nil, estimator: mmdEstimator))
        energy.add(try EnergyDistance.estimate(a, b, subsample: nil, estimator: energyEstimator))
    }
    rows.append(.monteCarlo("E[MMD²ᵤ(X, X′)] = 0, h=\(shortNumber(h)), \(pairs) pairs of \(size) points",
                            closedForm: 0, estimate: mmd.meanEstimate))
    rows.append(.monteCarlo("E[energy U-statistic(X, X′)] = 0, \(pairs) pairs of \(size) points",
                            closedForm: 0, estimate: energy.meanEstimate))
    return rows
}
