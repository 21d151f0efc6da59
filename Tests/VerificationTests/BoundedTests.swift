import ForwardProcess
import Testing
@testable import Verification

/// The rounding bound is a bound: Float32 evaluations of the formulas stay inside it, and a
/// value one formula-change away does not.
@Suite struct BoundedTests {
    typealias B = Bounded<Float32Rounding>

    @Test func float32CumulativeProductStaysInsideItsBound() throws {
        let betas: [B] = BetaFormula.linear(steps: 1000, start: 1e-4, end: 0.02)
        let bars = BetaFormula.alphaBar(betas)
        var product: Float = 1
        var checked = 0
        for (i, beta) in betas.enumerated() {
            product *= 1 - Float(beta.value)
            #expect(bars[i].admits(Double(product)), "τ = \(i): \(product) vs \(bars[i])")
            checked += 1
        }
        #expect(checked == 1000)
        // The bound grows like t·u (a few thousand u at t = T), far below one step's change of ᾱ (β_T).
        #expect(bars[999].tolerance / bars[999].value < 0.05 * betas[999].value)
        #expect(!bars[999].admits(bars[998].value))
    }

    @Test func genericFormulasGiveTheDoubleScheduleBitForBit() throws {
        for name in NoiseSchedule.names {
            let schedule = try NoiseSchedule.named(name)
            var config = SchedulerConfig()
            switch name.replacingOccurrences(of: "+zero-snr", with: "") {
            case "linear": config.betaSchedule = .linear
            case "scaled-linear": (config.betaSchedule, config.betaStart, config.betaEnd) = (.scaledLinear, 0.00085, 0.012)
            case "cosine": config.betaSchedule = .cosine
            default: config.betaSchedule = .sigmoid
            }
            config.rescaleZeroSNR = name.hasSuffix("+zero-snr")
            let bounded = config.betas(as: B.self)
            #expect(bounded.map(\.value) == schedule.beta, "\(name)")
        }
    }
}
