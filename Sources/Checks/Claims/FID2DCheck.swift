import CheckCore
import CheckKit
import Foundation
import Gaussian
import Stochastic

/// FID in 2-D: d² = |μ₁−μ₂|² + tr(Σ₁ + Σ₂ − 2(Σ₁^{½}Σ₂Σ₁^{½})^{½}) is E|X − T(X)|² for the
/// optimal linear map T, and T pushes N(μ₁, Σ₁) onto N(μ₂, Σ₂).
let fid2DCheck = CheckDefinition(
    id: "notes.fid-2d",
    title: "FID in 2-D: the Fréchet distance with the matrix square root equals E|X − T(X)|² of the optimal map",
    parameters: [.samples(default: 1_000_000)],
    mutations: [Mutation("commuting-root", "(Σ₁^{½}Σ₂Σ₁^{½})^{½} replaced by Σ₁^{½}Σ₂^{½}, true only when Σ₁, Σ₂ commute")],
    verdict: .true,
    sources: [Note.n002.at("83")]
) { context in
    let (m1, m2) = ((0.0, 0.0), (1.0, -0.5))
    let s1 = Symmetric2(a: 1, b: 0.8, c: 1), s2 = Symmetric2(a: 2, b: -0.5, c: 0.5)
    var closed = FrechetDistance.squared(mean1: [m1.0, m1.1], covariance1: s1.rowMajor, mean2: [m2.0, m2.1], covariance2: s2.rowMajor)
    if context.mutated("commuting-root") {
        // tr(Σ₁^{½}Σ₂^{½}) for symmetric roots.
        let r1 = s1.squareRoot, r2 = s2.squareRoot
        let traceProduct = r1.a * r2.a + 2 * r1.b * r2.b + r1.c * r2.c
        let meanGap = (m1.0 - m2.0) * (m1.0 - m2.0) + (m1.1 - m2.1) * (m1.1 - m2.1)
        closed = meanGap + s1.trace + s2.trace - 2 * traceProduct
    }
    let root = s1.squareRoot, map = transportMatrix(s1, s2)
    var stream = context.randomStream
    var cost = MomentAccumulator(), xx = MomentAccumulator(), yy = MomentAccumulator(), xy = MomentAccumulator()
    for _ in 0..<context.samples {
        let z = root.times((stream.normal(), stream.normal()))
        let x = (m1.0 + z.0, m1.1 + z.1)
        let moved = map.times(z)
        let y = (m2.0 + moved.0, m2.1 + moved.1)
        cost.add((x.0 - y.0) * (x.0 - y.0) + (x.1 - y.1) * (x.1 - y.1))
        xx.add(moved.0 * moved.0)
        yy.add(moved.1 * moved.1)
        xy.add(moved.0 * moved.1)
    }
    let back = Symmetric2(a: root.a * root.a + root.b * root.b, b: root.b * (root.a + root.c), c: root.b * root.b + root.c * root.c)
    return [
        .exact("(Σ₁^{½})² = Σ₁, entry 11", closedForm: back.a, exact: s1.a),
        .exact("(Σ₁^{½})² = Σ₁, entry 12", closedForm: back.b, exact: s1.b),
        .monteCarlo("d² vs E|X − T(X)|²", closedForm: closed, estimate: cost.meanEstimate),
        .monteCarlo("Cov(T(X))₁₁ = Σ₂₁₁", closedForm: s2.a, estimate: xx.meanEstimate),
        .monteCarlo("Cov(T(X))₁₂ = Σ₂₁₂", closedForm: s2.b, estimate: xy.meanEstimate),
        .monteCarlo("Cov(T(X))₂₂ = Σ₂₂₂", closedForm: s2.c, estimate: yy.meanEstimate),
    ]
}
