import Foundation
import ScoreODE
import Testing

/// Singlestep DPM-Solver's weights against Lu et al. (2022, Algorithms 1–2) written out with
/// exp instead of expm1, at a step large enough (h = log 3) that the two forms agree to 1e-13.
@Suite("SingleStepDPMWeights")
struct SingleStepDPMWeightsTests {
    let sigma = 3.0
    let next = 1.0
    var h: Double { Foundation.log(sigma / next) }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-13 * max(abs(a), abs(b)) }

    @Test("order 2: the midpoint stage and the full step's weight")
    func order2() {
        let w = SingleStepDPMWeights(sigma: sigma, next: next, h: h, order: 2)
        let s1 = sigma / Foundation.exp(h / 2)
        #expect(w.ratios == [0.5] && close(w.levels[0], s1) && close(s1, (sigma * next).squareRoot()), "the midpoint in λ is the geometric mean")
        #expect(close(w.stageShifts[0], s1 * (Foundation.exp(h / 2) - 1)))
        #expect(close(w.full, next * (Foundation.exp(h) - 1)) && close(w.full, sigma - next), "σ'(eʰ − 1) = σ − σ'")
        #expect(w.correction == w.full && w.stageCorrection == nil)
    }

    @Test("order 3: both stages, the correction of u₂ and the final correction")
    func order3() {
        let w = SingleStepDPMWeights(sigma: sigma, next: next, h: h, order: 3)
        let (r1, r2) = (1.0 / 3, 2.0 / 3)
        let (s1, s2) = (sigma * Foundation.exp(-r1 * h), sigma * Foundation.exp(-r2 * h))
        func phi(_ z: Double) -> Double { (Foundation.exp(z) - 1) / z - 1 }
        #expect(close(w.levels[0], s1) && close(w.levels[1], s2))
        #expect(close(w.stageShifts[0], s1 * (Foundation.exp(r1 * h) - 1)) && close(w.stageShifts[1], s2 * (Foundation.exp(r2 * h) - 1)))
        #expect(close(w.stageCorrection ?? .nan, s2 * 2 * phi(r2 * h)))
        #expect(close(w.correction, next * 1.5 * phi(h)))
        #expect(!close(w.correction, next * 1.5 * phi(r2 * h)), "φ of the whole step, not of the stage's")
    }

    @Test("given levels replace σ·e^{−rh}; the rest follows them")
    func givenLevels() {
        let w = SingleStepDPMWeights(sigma: sigma, next: next, h: h, order: 2, levels: [2.0])
        #expect(w.levels == [2.0] && close(w.stageShifts[0], 2 * Foundation.expm1(h / 2)))
    }
}
