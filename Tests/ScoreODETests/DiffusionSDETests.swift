import Foundation
import Gaussian
import ScoreODE
import Testing

/// `DiffusionSDE`: the transition's moments solve their own ODEs, DDPM's schedule maps to the
/// VP-SDE, and the probability-flow ODE moves Gaussian data exactly as the closed form says.
/// Exact checks: relative 1e-9 (1e-8 where a five-point derivative is involved).
@Suite struct DiffusionSDETests {
    static let sdes: [DiffusionSDE] = [.variancePreserving(betaMin: 0.1, betaMax: 20), .varianceExploding(sigmaMin: 0.01, sigmaMax: 10)]

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    static func derivative(at t: Double, _ f: (Double) -> Double) -> Double {
        let h = 1e-4
        return (8 * (f(t + h) - f(t - h)) - (f(t + 2 * h) - f(t - 2 * h))) / (12 * h)
    }

    /// s′ = f s and v′ = 2f v + g²: the mean factor and variance of dx = f x dt + g dW.
    @Test("the transition solves s′ = f s, v′ = 2f v + g²", arguments: [0.05, 0.3, 0.7, 0.95])
    func transitionMomentsSolveTheirODEs(t: Double) {
        for sde in Self.sdes {
            let (f, g) = sde.coefficients(t)
            #expect(Self.close(Self.derivative(at: t, sde.signalScale), f * sde.signalScale(t), 1e-8))
            #expect(Self.close(Self.derivative(at: t, sde.noiseVariance), 2 * f * sde.noiseVariance(t) + g * g, 1e-8))
        }
    }

    @Test func variancePreservingAndItsSigma() {
        let vp = Self.sdes[0]
        for t in [0.0, 0.2, 1] {
            #expect(Self.close(vp.alphaBar(t) + vp.noiseVariance(t), 1, 1e-15))
            #expect(Self.close(vp.sigma(t) * vp.sigma(t), 1 / vp.alphaBar(t) - 1, 1e-12))
        }
        #expect(vp.noiseVariance(0) == 0 && Self.sdes[1].noiseVariance(0) == 0)
        let ddpm = DiffusionSDE.ddpm(betaStart: 1e-4, betaEnd: 0.02, steps: 1000)
        #expect(Self.close(ddpm.beta(0), 0.1, 1e-14) && Self.close(ddpm.beta(1), 20, 1e-14))
    }

    /// For N(m, s²) data, p_t = N(s(t)m, s(t)²s² + v(t)) and the flow keeps
    /// (x − s(t)m)/√Var_t fixed: RK4 reproduces it to 1e-9 at 2000 steps, and its error falls
    /// as steps⁻⁴ (observed order 100 → 200 steps within 0.3 of 4).
    @Test func flowOfGaussianDataIsTheLinearMap() {
        let data = Gaussian(mean: 0.4, variance: 0.3)
        let mixture = GaussianMixture(weights: [1], components: [data])
        for sde in Self.sdes {
            let law = { (t: Double) in sde.marginal(of: mixture, at: t).components[0] }
            let start = [-1.3, 0.2, 2.5]
            let (from, to) = (law(1), law(0.1))
            let exact = start.map { to.mean + ($0 - from.mean) * (to.variance / from.variance).squareRoot() }
            func worstError(_ steps: Int) -> Double {
                let moved = sde.transport(start, from: 1, to: 0.1, steps: steps) { t in { x in sde.marginal(of: mixture, at: t).score(x) } }
                return zip(moved, exact).map { abs($0 - $1) / max(1, abs($1)) }.max()!
            }
            #expect(worstError(2000) <= 1e-9, "\(sde)")
            let order = log2(worstError(100) / worstError(200))
            #expect(abs(order - 4) <= 0.3, "\(sde): observed order \(order)")
        }
    }

    /// The step rules as written (numbers chosen to stay exact in binary).
    @Test func stepsAreTheRulesAsWritten() {
        let ve = DiffusionSDE.varianceExploding(sigmaMin: 0.01, sigmaMax: 10)
        let g = ve.diffusion(0.5)
        #expect(ve.forwardStep(1, t: 0.5, dt: 0.25, z: 2) == 1 + g * 0.5 * 2)
        #expect(ve.reverseStep(1, t: 0.5, dt: 0.25, score: -2, z: 0) == 1 - (0 - g * g * -2) * 0.25)
        #expect(ve.flowVelocity(1, t: 0.5, score: -2) == -0.5 * g * g * -2)
        #expect(ClassifierGuidance.guidedEpsilon(1, classifierGradient: 0.5, scale: 2, noise: 0.25) == 1 - 2 * 0.25 * 0.5)
    }
}
