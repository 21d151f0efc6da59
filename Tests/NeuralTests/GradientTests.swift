import Stochastic
import Testing
@testable import Neural

/// Every operation's backward against Richardson-extrapolated central differences of its
/// own Float32 forward pass (GradientCheck). Tolerance: 5e-4 of the largest gradient
/// entry of each tensor (the right backwards measure 1e-5 to 7e-5); a wrong backward
/// (`wrongSiLUIsRejected`) misses it by more than 100×.
@Suite struct GradientTests {
    static let tolerance = 5e-4

    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var stream = RandomStream(seed: seed, stream: 0)
        let tensor = Tensor(zeros: shape)
        for index in 0..<tensor.count { tensor[index] = Float(scale * stream.normal()) }
        return tensor
    }

    /// L = MSE(y, r) for a fixed random target r, so that ∂L/∂y is a generic vector.
    static func loss(_ tape: Tape, _ y: Variable, seed: UInt64) -> Variable {
        tape.meanSquaredError(y, tape.constant(random(tape.value(y).shape, seed: seed)))
    }

    @Test func linear() {
        let result = GradientCheck.compare(leaves: [Self.random([5, 7], seed: 1), Self.random([7, 3], seed: 2), Self.random([3], seed: 3)]) { tape, v in
            Self.loss(tape, tape.linear(v[0], weight: v[1], bias: v[2]), seed: 4)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// Inner dimensions above BLAS.innerBlock (both the forward k = in and the weight
    /// gradient's k = rows) go through the blocked sgemm path.
    @Test func linearWithBlockedInnerDimension() {
        let result = GradientCheck.compare(leaves: [Self.random([131, 3], seed: 5), Self.random([3, 2], seed: 6), Self.random([2], seed: 7)]) { tape, v in
            Self.loss(tape, tape.linear(v[0], weight: v[1], bias: v[2]), seed: 8)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
        let wide = GradientCheck.compare(leaves: [Self.random([2, 260], seed: 9, scale: 0.1), Self.random([260, 2], seed: 10, scale: 0.1), Self.random([2], seed: 11)]) { tape, v in
            Self.loss(tape, tape.linear(v[0], weight: v[1], bias: v[2]), seed: 12)
        }
        #expect(wide.maxRelativeError < Self.tolerance, "\(wide)")
    }

    @Test func blockedProductEqualsOneCall() {
        let a = Self.random([3, 300], seed: 13), b = Self.random([300, 4], seed: 14)
        let c = Tensor(zeros: [3, 4])
        BLAS.gemm(transposeA: false, transposeB: false, m: 3, n: 4, k: 300, a: a.pointer, lda: 300, b: b.pointer, ldb: 4, beta: 0, c: c.pointer, ldc: 4)
        for row in 0..<3 {
            for column in 0..<4 {
                var sum = 0.0
                for k in 0..<300 { sum += Double(a[row * 300 + k]) * Double(b[k * 4 + column]) }
                #expect(abs(Double(c[row * 4 + column]) - sum) < 1e-4 * max(1, abs(sum)))
            }
        }
    }

    @Test func silu() {
        let result = GradientCheck.compare(leaves: [Self.random([4, 9], seed: 15, scale: 2)]) { tape, v in
            Self.loss(tape, tape.silu(v[0]), seed: 16)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    @Test func gelu() {
        let result = GradientCheck.compare(leaves: [Self.random([4, 9], seed: 17, scale: 2)]) { tape, v in
            Self.loss(tape, tape.gelu(v[0]), seed: 18)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    @Test func concatColumns() {
        let result = GradientCheck.compare(leaves: [Self.random([3, 2], seed: 19), Self.random([3, 5], seed: 20)]) { tape, v in
            Self.loss(tape, tape.concatColumns([v[0], v[1]]), seed: 21)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// A variable used twice receives the sum of both gradients.
    @Test func addAccumulatesAVariableUsedTwice() {
        let result = GradientCheck.compare(leaves: [Self.random([3, 4], seed: 22), Self.random([3, 4], seed: 23)]) { tape, v in
            Self.loss(tape, tape.add(tape.add(v[0], v[1]), v[0]), seed: 24)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    @Test func meanSquaredErrorBothInputs() {
        let result = GradientCheck.compare(leaves: [Self.random([6, 2], seed: 25), Self.random([6, 2], seed: 26)]) { tape, v in
            tape.meanSquaredError(v[0], v[1])
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// The toy denoiser's shape of network end to end: Linear → SiLU → Linear → SiLU → Linear.
    @Test func smallMultilayerPerceptron() {
        let leaves = [Self.random([4, 3], seed: 27), Self.random([3, 6], seed: 28, scale: 0.5), Self.random([6], seed: 29),
                      Self.random([6, 6], seed: 30, scale: 0.5), Self.random([6], seed: 31), Self.random([6, 2], seed: 32, scale: 0.5), Self.random([2], seed: 33)]
        let result = GradientCheck.compare(leaves: leaves) { tape, v in
            var h = tape.silu(tape.linear(v[0], weight: v[1], bias: v[2]))
            h = tape.silu(tape.linear(h, weight: v[3], bias: v[4]))
            return Self.loss(tape, tape.linear(h, weight: v[5], bias: v[6]), seed: 34)
        }
        #expect(result.maxRelativeError < Self.tolerance, "\(result)")
    }

    /// The mutation: SiLU with the derivative σ(x) (the x·σ(1 − σ) term dropped) is caught.
    @Test func wrongSiLUIsRejected() {
        let result = GradientCheck.compare(leaves: [Self.random([4, 9], seed: 15, scale: 2)]) { tape, v in
            Self.loss(tape, tape.wrongSiLU(v[0]), seed: 16)
        }
        #expect(result.maxRelativeError > 100 * Self.tolerance, "\(result)")
    }
}

extension Tape {
    /// SiLU whose backward forgets the product rule: ∂y/∂x = σ(x). Only for the test above.
    fileprivate func wrongSiLU(_ x: Variable) -> Variable {
        let input = value(x)
        let output = scratch(input.shape)
        for index in 0..<input.count { output[index] = input[index] * FastMath.sigmoid(input[index]) }
        return record(output) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            for index in 0..<input.count { dx[index] += dy[index] * FastMath.sigmoid(input[index]) }
        }
    }
}
