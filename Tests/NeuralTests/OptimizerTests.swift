import Foundation
import Testing
@testable import Neural

@Suite struct OptimizerTests {
    /// Adam against a Double transcription of Kingma & Ba's Algorithm 1 (with PyTorch's
    /// placement of ε) over 50 steps of changing gradients.
    @Test func adamFollowsAlgorithmOne() {
        let parameter = Parameter(name: "θ", value: Tensor(shape: [3], values: [0.5, -1, 2]))
        let adam = Adam([parameter], learningRate: 0.01)
        var theta = [0.5, -1.0, 2.0], m = [0.0, 0, 0], v = [0.0, 0, 0]
        for step in 1...50 {
            let gradients = (0..<3).map { Float(sin(Double(step * 3 + $0))) }
            for i in 0..<3 { parameter.gradient[i] = gradients[i] }
            adam.update()
            for i in 0..<3 {
                let g = Double(gradients[i])
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - Foundation.pow(0.9, Double(step)))
                let vHat = v[i] / (1 - Foundation.pow(0.999, Double(step)))
                theta[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<3 {
            #expect(abs(Double(parameter.value[i]) - theta[i]) < 1e-5, "θ[\(i)]: \(parameter.value[i]) vs \(theta[i])")
            #expect(parameter.gradient[i] == 0, "the step clears the gradient")
        }
        #expect(adam.step == 50)
    }

    /// Without bias correction the first steps are 10× too small: the reference above
    /// tells the two apart (the mutation).
    @Test func adamWithoutBiasCorrectionDiffers() {
        let parameter = Parameter(name: "θ", value: Tensor(shape: [1], values: [0]))
        let adam = Adam([parameter], learningRate: 0.01)
        parameter.gradient[0] = 1
        adam.update()
        // Bias-corrected first step: −lr·sign(g) = −0.01. Uncorrected: −0.01·0.1/√0.001 ≈ −0.0316.
        #expect(abs(parameter.value[0] + 0.01) < 1e-6)
        #expect(abs(parameter.value[0] + 0.0316) > 1e-3)
    }

    /// With θ held fixed, after k updates θ̄ = θ + dᵏ(θ̄₀ − θ).
    @Test func emaConvergesGeometrically() {
        let parameter = Parameter(name: "θ", value: Tensor(shape: [2], values: [1, -3]))
        let ema = ExponentialMovingAverage([parameter], decay: 0.9)
        parameter.value[0] = 2
        parameter.value[1] = 5
        for _ in 0..<10 { ema.update() }
        let factor = Foundation.pow(0.9, 10.0)
        #expect(abs(Double(ema.averages[0][0]) - (2 + factor * (1 - 2))) < 1e-6)
        #expect(abs(Double(ema.averages[0][1]) - (5 + factor * (-3 - 5))) < 1e-5)
    }

    /// temb(t)[i] = sin(t·fᵢ), temb[32 + i] = cos(t·fᵢ), fᵢ = exp(−ln(10000)·i/32).
    @Test func sinusoidalEmbeddingMatchesItsDefinition() {
        let embedding = SinusoidalEmbedding(dimensions: 64, steps: 1000)
        for t in [0, 1, 37, 999] {
            let row = embedding.embedding(t)
            for i in [0, 1, 15, 31] {
                let frequency = Foundation.exp(-Foundation.log(10_000.0) * Double(i) / 32)
                #expect(abs(Double(row[i]) - sin(Double(t) * frequency)) < 1e-6)
                #expect(abs(Double(row[32 + i]) - cos(Double(t) * frequency)) < 1e-6)
            }
        }
    }
}
