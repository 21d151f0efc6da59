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

    /// Parameters large enough for the SIMD lanes and, above `Adam.parallelWork` elements
    /// in all, for parts on several threads: 3 steps with 3 threads equal, bit for bit, a
    /// scalar Float transcription of the rule at every element (lanes, tails, the parts'
    /// boundaries inside a parameter and across parameters), and a 1-thread run.
    @Test func adamInPartsMatchesTheScalarRule() {
        let sizes = [Adam.parallelWork + 13, 5, 21]
        func start(_ p: Int, _ i: Int) -> Float { Float(sin(Double(i) * 0.37 + Double(p))) }
        func gradient(_ p: Int, _ i: Int, _ step: Int) -> Float { Float(cos(Double(i) * 0.11 + Double(step * 3 + p))) }
        func run(threads: Int) -> [[Float]] {
            let parameters = sizes.enumerated().map { p, size in
                Parameter(name: "p\(p)", value: Tensor(shape: [size], values: (0..<size).map { start(p, $0) }))
            }
            let adam = Adam(parameters, learningRate: 0.01)
            for step in 1...3 {
                for (p, parameter) in parameters.enumerated() {
                    for i in 0..<sizes[p] { parameter.gradient[i] = gradient(p, i, step) }
                }
                adam.update(threads: threads)
            }
            return parameters.map { $0.value.values }
        }
        var expected: [[Float]] = []
        for (p, size) in sizes.enumerated() {
            var theta = (0..<size).map { start(p, $0) }, m = [Float](repeating: 0, count: size), v = m
            for step in 1...3 {
                // The bias corrections in Double from the Float β's, as Adam computes them.
                let stepSize = Float(0.01) / Float(1 - Foundation.pow(Double(Float(0.9)), Double(step)))
                let root = Float((1 - Foundation.pow(Double(Float(0.999)), Double(step))).squareRoot())
                for i in 0..<size {
                    let g = gradient(p, i, step)
                    m[i] = 0.9 * m[i] + (1 - 0.9) * g
                    v[i] = 0.999 * v[i] + (1 - 0.999) * g * g
                    theta[i] -= stepSize * m[i] / (v[i].squareRoot() / root + 1e-8)
                }
            }
            expected.append(theta)
        }
        let parallel = run(threads: 3)
        for p in sizes.indices {
            let differing = zip(parallel[p], expected[p]).filter { $0 != $1 }.count
            #expect(differing == 0, "parameter \(p): \(differing) of \(sizes[p]) elements differ")
        }
        let serial = run(threads: 1)
        #expect(parallel == serial, "\(zip(parallel.joined(), serial.joined()).filter { $0 != $1 }.count) elements differ from a 1-thread run")
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
