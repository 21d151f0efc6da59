import Foundation

/// A symmetric positive-definite 2×2 matrix [[a, b], [b, c]].
struct Symmetric2: Sendable, Equatable {
    let a: Double, b: Double, c: Double

    var trace: Double { a + c }
    var determinant: Double { a * c - b * b }

    /// The principal square root: √M = (M + √det M · I)/√(tr M + 2√det M) (Cayley–Hamilton).
    var squareRoot: Symmetric2 {
        let s = determinant.squareRoot()
        let t = (trace + 2 * s).squareRoot()
        return Symmetric2(a: (a + s) / t, b: b / t, c: (c + s) / t)
    }

    var inverse: Symmetric2 {
        let d = determinant
        return Symmetric2(a: c / d, b: -b / d, c: a / d)
    }

    /// Row-major 2×2, as `FrechetDistance` takes covariances.
    var rowMajor: [Double] { [a, b, b, c] }

    func times(_ v: (Double, Double)) -> (Double, Double) { (a * v.0 + b * v.1, b * v.0 + c * v.1) }

    /// M N M for symmetric M and N (symmetric again).
    func sandwich(_ n: Symmetric2) -> Symmetric2 {
        // (M N) then (M N) M, written out.
        let p00 = a * n.a + b * n.b, p01 = a * n.b + b * n.c
        let p10 = b * n.a + c * n.b, p11 = b * n.b + c * n.c
        return Symmetric2(a: p00 * a + p01 * b, b: p00 * b + p01 * c, c: p10 * b + p11 * c)
    }
}

/// The optimal transport matrix A of the Fréchet distance (the squared 2-Wasserstein
/// distance) between N(μ₁, Σ₁) and N(μ₂, Σ₂): the linear map T(x) = μ₂ + A(x − μ₁) with
/// A = Σ₁^{−½}(Σ₁^{½} Σ₂ Σ₁^{½})^{½}Σ₁^{−½} attains it and pushes the first onto the second.
func transportMatrix(_ s1: Symmetric2, _ s2: Symmetric2) -> Symmetric2 {
    let inverseRoot = s1.squareRoot.inverse
    return inverseRoot.sandwich(s1.squareRoot.sandwich(s2).squareRoot)
}
