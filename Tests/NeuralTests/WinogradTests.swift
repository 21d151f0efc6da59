import Testing
@testable import Neural

/// Winograd's F(2×2, 3×3), which `conv2d` uses for every 3×3 stride-1 padding-1 kernel
/// (the convolution checks of ImageLayerGradientTests run through it): the tile algorithm
/// against the direct 2×2 correlation and each 2-D map against its adjoint (⟨f(a), b⟩ =
/// ⟨a, fᵀ(b)⟩), in Double. Then six mutants, each with one 1-D map wrong: each breaks its
/// identity, and the whole convolution built on it is rejected (forward against the direct
/// sum, backward by finite differences).
@Suite struct WinogradTests {
    /// A tile with random values in `rows` × `lanes` and zeros elsewhere.
    static func tile(seed: UInt64, rows: Int = 4, lanes: Int = 4) -> Tile4 {
        let values = GradientTests.random([16], seed: seed)
        var tile = Tile4.zero
        for row in 0..<rows {
            for lane in 0..<lanes { tile[row, lane] = values[row * 4 + lane] }
        }
        return tile
    }

    static func inner(_ a: Tile4, _ b: Tile4) -> Double {
        var sum = 0.0
        for row in 0..<4 { for lane in 0..<4 { sum += Double(a[row, lane]) * Double(b[row, lane]) } }
        return sum
    }

    /// The largest error of Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A against y[r, q] = Σ g[u, v]·d[r + u, q + v],
    /// relative to the largest |y|, over a few random tiles.
    static func correlationError<T: WinogradTransform>(_: T.Type) -> Double {
        var worst = 0.0
        for seed in UInt64(0)..<4 {
            let d = tile(seed: 300 + seed), g = tile(seed: 310 + seed, rows: 3, lanes: 3)
            let u = T.kernelTile(g), v = T.inputTile(d)
            let y = T.outputTile(Tile4(r0: u.r0 * v.r0, r1: u.r1 * v.r1, r2: u.r2 * v.r2, r3: u.r3 * v.r3))
            var exact = [[Double]](repeating: [0, 0], count: 2), scale = 0.0
            for r in 0..<2 {
                for q in 0..<2 {
                    for a in 0..<3 { for b in 0..<3 { exact[r][q] += Double(g[a, b]) * Double(d[r + a, q + b]) } }
                    scale = max(scale, abs(exact[r][q]))
                }
            }
            for r in 0..<2 { for q in 0..<2 { worst = max(worst, abs(Double(y[r, q]) - exact[r][q]) / scale) } }
        }
        return worst
    }

    /// |⟨f(a), b⟩ − ⟨a, fᵀ(b)⟩| / (|a|·|b|) for the input, kernel and output maps.
    static func adjointErrors<T: WinogradTransform>(_: T.Type) -> (input: Double, kernel: Double, output: Double) {
        func error(_ a: Tile4, _ b: Tile4, _ f: (Tile4) -> Tile4, _ adjoint: (Tile4) -> Tile4) -> Double {
            abs(inner(f(a), b) - inner(a, adjoint(b))) / (inner(a, a) * inner(b, b)).squareRoot()
        }
        return (error(tile(seed: 320), tile(seed: 321), T.inputTile, T.inputAdjointTile),
                error(tile(seed: 322, rows: 3, lanes: 3), tile(seed: 323), T.kernelTile, T.kernelAdjointTile),
                error(tile(seed: 324), tile(seed: 325, rows: 2, lanes: 2), T.outputTile, T.outputAdjointTile))
    }

    @Test func tilesMatchTheDirectCorrelationAndTheirAdjoints() {
        #expect(Self.correlationError(F2x3.self) < 1e-6)
        let errors = Self.adjointErrors(F2x3.self)
        #expect(errors.input < 1e-6 && errors.kernel < 1e-6 && errors.output < 1e-6, "\(errors)")
    }

    /// One wrong 1-D map each; the forward ones change y, the adjoint ones only gradients.
    enum Mutant: String, CaseIterable, Sendable {
        case input, inputAdjoint, kernel, kernelAdjoint, output, outputAdjoint

        var transform: any WinogradTransform.Type {
            switch self {
            case .input: WrongInput.self
            case .inputAdjoint: WrongInputAdjoint.self
            case .kernel: WrongKernel.self
            case .kernelAdjoint: WrongKernelAdjoint.self
            case .output: WrongOutput.self
            case .outputAdjoint: WrongOutputAdjoint.self
            }
        }

        var changesForward: Bool { [.input, .kernel, .output].contains(self) }
    }

    @Test(arguments: Mutant.allCases) func mutantBreaksItsIdentity(_ mutant: Mutant) {
        func errors<T: WinogradTransform>(_ t: T.Type) -> (Double, (input: Double, kernel: Double, output: Double)) {
            (Self.correlationError(t), Self.adjointErrors(t))
        }
        let (correlation, adjoint) = errors(mutant.transform)
        let broken = switch mutant {
        case .input, .kernel, .output: correlation
        case .inputAdjoint: adjoint.input
        case .kernelAdjoint: adjoint.kernel
        case .outputAdjoint: adjoint.output
        }
        #expect(broken > 1e-2, "\(mutant): correlation \(correlation), adjoints \(adjoint)")
    }

    /// A convolution through the mutant: a wrong forward map moves y away from the direct
    /// sum; a wrong adjoint map fails the finite-difference check by over 100× its tolerance.
    @Test(arguments: Mutant.allCases) func mutantConvolutionIsRejected(_ mutant: Mutant) {
        // Width 10: one group of four tiles at once and one tile alone in each tile row.
        let x = GradientTests.random([2, 3, 5, 10], seed: 330), w = GradientTests.random([4, 3, 3, 3], seed: 331, scale: 0.5)
        let b = GradientTests.random([4], seed: 332)
        func convolve<T: WinogradTransform>(_ tape: Tape, _ v: [Variable], _ t: T.Type) -> Variable {
            let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: 1, padding: 1)
            return tape.conv2dWinograd(v[0], weight: v[1], bias: v[2], geometry: g, using: t)
        }
        if mutant.changesForward {
            let tape = Tape()
            let y = tape.value(convolve(tape, [x, w, b].map { tape.constant($0) }, mutant.transform))
            let expected = ImageLayerGradientTests.naiveConvolution(x, w, b, stride: 1, padding: 1)
            let worst = zip(y.values, expected.values).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst > 1e-2, "\(mutant): largest difference \(worst)")
        } else {
            let result = GradientCheck.compare(leaves: [x, w, b]) { tape, v in
                GradientTests.loss(tape, convolve(tape, v, mutant.transform), seed: 333)
            }
            #expect(result.maxRelativeError > 100 * GradientTests.tolerance, "\(mutant): \(result)")
        }
    }
}

extension Tile4 {
    subscript(row: Int, lane: Int) -> Float {
        get { [r0, r1, r2, r3][row][lane] }
        set {
            switch row {
            case 0: r0[lane] = newValue
            case 1: r1[lane] = newValue
            case 2: r2[lane] = newValue
            default: r3[lane] = newValue
            }
        }
    }
}

/// Bᵀd with d₂ + d₁ in place of d₂ − d₁.
enum WrongInput: WinogradTransform {
    static func input(_ d: Tile4) -> Tile4 { Tile4(r0: d.r0 - d.r2, r1: d.r1 + d.r2, r2: d.r2 + d.r1, r3: d.r1 - d.r3) }
}

/// B t with t₁ + t₂ + t₃ in place of t₁ − t₂ + t₃.
enum WrongInputAdjoint: WinogradTransform {
    static func inputAdjoint(_ t: Tile4) -> Tile4 { Tile4(r0: t.r0, r1: t.r1 + t.r2 + t.r3, r2: t.r1 + t.r2 - t.r0, r3: -t.r3) }
}

/// G g with (g₀ + g₁ + g₂) in place of (g₀ + g₁ + g₂)/2.
enum WrongKernel: WinogradTransform {
    static func kernel(_ g: Tile4) -> Tile4 {
        let outer = 0.5 * (g.r0 + g.r2), middle = 0.5 * g.r1
        return Tile4(r0: g.r0, r1: 2 * (outer + middle), r2: outer - middle, r3: g.r2)
    }
}

/// Gᵀu with (u₁ + u₂)/2 in place of (u₁ − u₂)/2.
enum WrongKernelAdjoint: WinogradTransform {
    static func kernelAdjoint(_ u: Tile4) -> Tile4 {
        let sum = 0.5 * (u.r1 + u.r2)
        return Tile4(r0: u.r0 + sum, r1: sum, r2: sum + u.r3, r3: .zero)
    }
}

/// Aᵀm with m₁ − m₂ + m₃ in place of m₁ − m₂ − m₃.
enum WrongOutput: WinogradTransform {
    static func output(_ m: Tile4) -> Tile4 { Tile4(r0: m.r0 + m.r1 + m.r2, r1: m.r1 - m.r2 + m.r3, r2: .zero, r3: .zero) }
}

/// A y with +y₁ in place of −y₁ in the last row.
enum WrongOutputAdjoint: WinogradTransform {
    static func outputAdjoint(_ y: Tile4) -> Tile4 { Tile4(r0: y.r0, r1: y.r0 + y.r1, r2: y.r0 - y.r1, r3: y.r1) }
}
