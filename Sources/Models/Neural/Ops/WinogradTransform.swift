/// Winograd's minimal filtering algorithm F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms
/// for Convolutional Neural Networks", §4.1): a 2×2 output tile of a 3×3 correlation,
/// Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, from a 4×4 input tile d in 16 multiplications instead
/// of 36, with
///
///     Bᵀ = [1  0 −1  0]     G = [ 1   0   0 ]     Aᵀ = [1  1  1  0]
///          [0  1  1  0]         [ ½   ½   ½ ]          [0  1 −1 −1]
///          [0 −1  1  0]         [ ½  −½   ½ ]
///          [0  1  0 −1]         [ 0   0   1 ]
///
/// In one dimension: y₀ = d₀g₀ + d₁g₁ + d₂g₂ and y₁ = d₁g₀ + d₂g₁ + d₃g₂ (the products
/// (Bᵀd)ₖ(Gg)ₖ summed by Aᵀ). Over the channels the elementwise product becomes 16 matrix
/// products, one per tile position ξ: M[ξ] = U[ξ]·V[ξ] with U[ξ] [Cout, Cin] and V[ξ]
/// [Cin, tiles], which is where the 36/16 = 2.25× saving of multiply-adds goes.
///
/// Backward is the chain rule through the same algorithm (every map is linear): with
/// ∂L/∂M = A ∂L/∂Y Aᵀ, ∂L/∂U[ξ] = ∂L/∂M[ξ]·V[ξ]ᵀ, ∂L/∂V[ξ] = U[ξ]ᵀ·∂L/∂M[ξ], then
/// ∂L/∂d = B ∂L/∂V Bᵀ and ∂L/∂g = Gᵀ ∂L/∂U G. So each 1-D map has its transpose here.
///
/// A tile is four SIMD4 vectors. Each 2-D transform applies its 1-D map across the four
/// vectors, transposes, and applies it again; two applications leave the result transposed,
/// so U and V are stored transposed (index ξ = 4j + k holds entry [k][j]) and the output
/// and input-gradient maps, applied to that storage, come back in natural orientation.
///
/// A protocol so that the tests can swap one map for a wrong one (a mutation) and see the
/// convolution checks reject it. Its default maps are F(2×2, 3×3); `F2x3` takes them all
/// and is the only transform the models use.
protocol WinogradTransform: Sendable {
    static func input(_ d: Tile4) -> Tile4
    static func inputAdjoint(_ t: Tile4) -> Tile4
    static func kernel(_ g: Tile4) -> Tile4
    static func kernelAdjoint(_ u: Tile4) -> Tile4
    static func output(_ m: Tile4) -> Tile4
    static func outputAdjoint(_ y: Tile4) -> Tile4
}

/// F(2×2, 3×3) itself.
enum F2x3: WinogradTransform {}

/// Four rows of four floats (unused rows and lanes are zero).
struct Tile4 {
    var r0, r1, r2, r3: SIMD4<Float>

    static let zero = Tile4(r0: .zero, r1: .zero, r2: .zero, r3: .zero)

    var transposed: Tile4 {
        Tile4(r0: SIMD4(r0[0], r1[0], r2[0], r3[0]), r1: SIMD4(r0[1], r1[1], r2[1], r3[1]),
              r2: SIMD4(r0[2], r1[2], r2[2], r3[2]), r3: SIMD4(r0[3], r1[3], r2[3], r3[3]))
    }
}

/// The 1-D maps of F(2×2, 3×3), applied to the rows of a tile.
extension WinogradTransform {
    /// Bᵀd: (d₀ − d₂, d₁ + d₂, d₂ − d₁, d₁ − d₃).
    @inline(__always) static func input(_ d: Tile4) -> Tile4 {
        Tile4(r0: d.r0 - d.r2, r1: d.r1 + d.r2, r2: d.r2 - d.r1, r3: d.r1 - d.r3)
    }
    /// B t, the transpose of `input`: (t₀, t₁ − t₂ + t₃, −t₀ + t₁ + t₂, −t₃).
    @inline(__always) static func inputAdjoint(_ t: Tile4) -> Tile4 {
        Tile4(r0: t.r0, r1: t.r1 - t.r2 + t.r3, r2: t.r1 + t.r2 - t.r0, r3: -t.r3)
    }
    /// G g for g = (g₀, g₁, g₂) in rows 0…2: (g₀, (g₀ + g₁ + g₂)/2, (g₀ − g₁ + g₂)/2, g₂).
    @inline(__always) static func kernel(_ g: Tile4) -> Tile4 {
        let outer = 0.5 * (g.r0 + g.r2), middle = 0.5 * g.r1
        return Tile4(r0: g.r0, r1: outer + middle, r2: outer - middle, r3: g.r2)
    }
    /// Gᵀu, the transpose of `kernel`, into rows 0…2: (u₀ + (u₁ + u₂)/2, (u₁ − u₂)/2, (u₁ + u₂)/2 + u₃).
    @inline(__always) static func kernelAdjoint(_ u: Tile4) -> Tile4 {
        let sum = 0.5 * (u.r1 + u.r2)
        return Tile4(r0: u.r0 + sum, r1: 0.5 * (u.r1 - u.r2), r2: sum + u.r3, r3: .zero)
    }
    /// Aᵀm into rows 0…1: (m₀ + m₁ + m₂, m₁ − m₂ − m₃).
    @inline(__always) static func output(_ m: Tile4) -> Tile4 {
        Tile4(r0: m.r0 + m.r1 + m.r2, r1: m.r1 - m.r2 - m.r3, r2: .zero, r3: .zero)
    }
    /// A y, the transpose of `output`, from rows 0…1: (y₀, y₀ + y₁, y₀ − y₁, −y₁).
    @inline(__always) static func outputAdjoint(_ y: Tile4) -> Tile4 {
        Tile4(r0: y.r0, r1: y.r0 + y.r1, r2: y.r0 - y.r1, r3: -y.r1)
    }
}

/// The 2-D maps, each a 1-D map over the rows, a transpose, and the map again.
extension WinogradTransform {
    /// (Bᵀ d B)ᵀ from a 4×4 input tile d.
    @inline(__always) static func inputTile(_ d: Tile4) -> Tile4 { input(input(d).transposed) }
    /// (G g Gᵀ)ᵀ from a 3×3 kernel g in rows and lanes 0…2.
    @inline(__always) static func kernelTile(_ g: Tile4) -> Tile4 { kernel(kernel(g).transposed) }
    /// Aᵀ M A (rows and lanes 0…1) from Mᵀ.
    @inline(__always) static func outputTile(_ m: Tile4) -> Tile4 { output(output(m).transposed) }
    /// (A ∂Y Aᵀ)ᵀ from ∂Y in rows and lanes 0…1.
    @inline(__always) static func outputAdjointTile(_ y: Tile4) -> Tile4 { outputAdjoint(outputAdjoint(y).transposed) }
    /// B ∂V Bᵀ from (∂V)ᵀ.
    @inline(__always) static func inputAdjointTile(_ v: Tile4) -> Tile4 { inputAdjoint(inputAdjoint(v).transposed) }
    /// Gᵀ ∂U G (rows and lanes 0…2) from (∂U)ᵀ.
    @inline(__always) static func kernelAdjointTile(_ u: Tile4) -> Tile4 { kernelAdjoint(kernelAdjoint(u).transposed) }
}
