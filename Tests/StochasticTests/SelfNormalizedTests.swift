import Stochastic
import Testing

/// The self-normalized importance-sampling estimator: with equal weights it is the plain mean
/// with the population-deviation standard error; weights scale out; Kish's effective size.
@Suite struct SelfNormalizedTests {
    @Test func equalWeightsGiveThePlainMean() {
        let values = [1.0, 2, 4, 8]
        let estimate = MonteCarlo.selfNormalized(values: values, weights: [3, 3, 3, 3])
        let mean = 15.0 / 4
        let spread = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        #expect(abs(estimate.mean - mean) <= 1e-15 * mean)
        #expect(abs(estimate.standardError - spread.squareRoot() / 4) <= 1e-15)
        #expect(estimate.count == 4)
    }

    @Test func weightsFavourTheirValues() {
        let estimate = MonteCarlo.selfNormalized(values: [0, 10], weights: [1, 3])
        #expect(estimate.mean == 7.5)
        // Kish: (1 + 3)²/(1 + 9) = 1.6, rounded.
        #expect(estimate.count == 2)
        // √(1·7.5² + 9·2.5²)/4.
        #expect(abs(estimate.standardError - (56.25 + 56.25).squareRoot() / 4) <= 1e-15)
    }
}
