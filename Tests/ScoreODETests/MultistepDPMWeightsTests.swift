import Foundation
import ScoreODE
import Testing

/// DPM-Solver++(2M)'s weights against Lu et al. (2022b, Algorithm 2) written out: in VP
/// coordinates from σ = 3 to σ' = 1 after a step from σ₋₁ = 9, where α = 1/√(σ² + 1),
/// s = σα and λ = log α − log s = −log σ.
@Suite("MultistepDPMWeights")
struct MultistepDPMWeightsTests {
    let before = 9.0
    let sigma = 3.0
    let next = 1.0
    func alpha(_ sigma: Double) -> Double { 1 / (sigma * sigma + 1).squareRoot() }
    var h: Double { Foundation.log(sigma / next) }
    var r: Double { Foundation.log(before / sigma) / h }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-13 * max(abs(a), abs(b)) }

    func weights(secondOrder: Bool) -> MultistepDPMWeights<Double> {
        MultistepDPMWeights(sampleRatio: next * alpha(next) / (sigma * alpha(sigma)), alphaNext: alpha(next),
                            decayMinusOne: Foundation.exp(-h) - 1, inverseRatio: secondOrder ? 1 / r : nil)
    }

    @Test("first order is DDIM: x' = (s'/s)x + α'(1 − σ'/σ)D")
    func firstOrder() {
        let w = weights(secondOrder: false)
        #expect(w.onDifference == nil)
        #expect(close(w.onDenoised, alpha(next) * (1 - next / sigma)))
        // On x = α(x₀ + σε) with D = x₀ the step lands on α'(x₀ + σ'ε), the DDIM property.
        let (x0, eps) = (0.7, -1.3)
        let x = alpha(sigma) * (x0 + sigma * eps)
        #expect(close(w.onSample * x + w.onDenoised * x0, alpha(next) * (x0 + next * eps)))
    }

    @Test("second order adds ½α'(1 − e^{−h})(D − D₋₁)/r, with r = h₋₁/h; r, not 1/r")
    func secondOrder() {
        let w = weights(secondOrder: true)
        #expect(close(w.onDifference ?? .nan, 0.5 * alpha(next) * (1 - next / sigma) / r))
        // Unequal steps in λ (h₋₁ = log 3, h = log 6): the inverted ratio is a different weight.
        let end = 0.5
        let hShort = Foundation.log(sigma / end)
        let ratio = Foundation.log(before / sigma) / hShort
        let uneven = MultistepDPMWeights(sampleRatio: 1.0, alphaNext: alpha(end), decayMinusOne: Foundation.exp(-hShort) - 1,
                                         inverseRatio: 1 / ratio)
        let paper = 0.5 * alpha(end) * (1 - end / sigma) / ratio
        #expect(close(uneven.onDifference ?? .nan, paper))
        #expect(!close(uneven.onDifference ?? .nan, 0.5 * alpha(end) * (1 - end / sigma) * ratio), "a weight with r in place of 1/r differs")
    }
}
