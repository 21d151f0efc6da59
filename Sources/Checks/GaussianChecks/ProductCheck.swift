import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// N(x; μ₁, σ₁²) N(x; μ₂, σ₂²) = Z · N(x; μ, σ²) (completing the square).
let productCheck = CheckDefinition(
    id: "gaussian.product",
    title: "N(x;μ₁,σ₁²)·N(x;μ₂,σ₂²) = Z·N(x;μ,σ²): precisions add, the mean is precision-weighted",
    parameters: pairParameters(mean1: 0.5, variance1: 0.25, mean2: 2, variance2: 1),
    mutations: [Mutation("variance-weighted-mean", "mean weighted by variances (σ₁²μ₁+σ₂²μ₂)/(σ₁²+σ₂²) instead of precisions")],
    run: productRows
)

@Sendable
func productRows(_ context: CheckContext) throws -> [CheckRow] {
    let (p, q) = context.gaussianPair
    let truth = DensityProduct(p, q)
    let product = context.mutated("variance-weighted-mean")
        ? DensityProduct(
            gaussian: Gaussian(
                mean: (p.variance * p.mean + q.variance * q.mean) / (p.variance + q.variance),
                variance: truth.gaussian.variance),
            scale: truth.scale)
        : truth
    let g = product.gaussian
    var rows: [CheckRow] = []
    for k in [-2.0, -0.5, 0, 1, 2.5] {
        let x = g.mean + k * g.standardDeviation
        rows.append(.exact("Z·N(x) at x=\(shortNumber(x)) vs the product", closedForm: product.density(x),
                           exact: p.density(x) * q.density(x), relativeTolerance: 1e-12))
    }
    let unnormalized: (Double) -> Double = { x in p.density(x) * q.density(x) }
    // Integrate around the narrower factor, where the product's mass sits.
    let peak = p.variance <= q.variance ? p.mean : q.mean
    rows.append(try .quadrature("Z vs ∫ product", closedForm: product.scale, center: peak, unnormalized))
    rows.append(try .quadrature("μ·Z vs ∫ x·product", closedForm: g.mean * product.scale, center: peak, floor: product.scale) { x in x * unnormalized(x) })
    rows.append(try .quadrature("σ²·Z vs ∫ (x−μ)²·product", closedForm: g.variance * product.scale, center: peak) { x in
        (x - g.mean) * (x - g.mean) * unnormalized(x)
    })
    return rows
}
