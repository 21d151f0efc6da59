import Foundation

/// The layers of the ziggurat for N(0, 1) (Marsaglia & Tsang 2000), with 256 layers.
///
/// With f(x) = exp(−x²/2), the region under f on x ≥ 0 is covered by 256 pieces of equal
/// area v: a base strip [0, r] × [0, f(r)] plus the tail x > r, and 255 rectangles
/// x ∈ [0, xᵢ], y ∈ [f(xᵢ), f(xᵢ₊₁)]. r is found here by bisection so that the top
/// rectangle closes at f(0) = 1 (no magic constant): v = r f(r) + ∫ᵣ^∞ f and
/// xᵢ₊₁ = f⁻¹(f(xᵢ) + v/xᵢ).
@usableFromInline
final class ZigguratTable: @unchecked Sendable {  // immutable after init
    static let layers = 256
    /// xᵢ for i = 0…256, with x₀ = v/f(r) (the base strip's width) and x₂₅₆ = 0.
    @usableFromInline let x: UnsafeMutablePointer<Double>
    /// xᵢ₊₁/xᵢ: a draw u·xᵢ with |u| below this lies inside the curve for sure.
    @usableFromInline let inner: UnsafeMutablePointer<Double>
    /// f(xᵢ), with f(x₂₅₆) = 1.
    @usableFromInline let f: UnsafeMutablePointer<Double>
    @usableFromInline let r: Double

    @usableFromInline static let shared = ZigguratTable()

    private init() {
        let n = Self.layers
        // Bisection on r: too small an r leaves area above 1 at the top layer.
        var lo = 2.0, hi = 5.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if Self.topOvershoot(r: mid, layers: n) > 0 { lo = mid } else { hi = mid }
        }
        let r = 0.5 * (lo + hi)
        let v = Self.layerArea(r: r)
        x = .allocate(capacity: n + 1)
        inner = .allocate(capacity: n)
        f = .allocate(capacity: n + 1)
        x[0] = v / Self.density(r)
        x[1] = r
        for i in 1..<(n - 1) {
            x[i + 1] = (-2 * Foundation.log(Self.density(x[i]) + v / x[i])).squareRoot()
        }
        x[n] = 0
        for i in 0...n { f[i] = Self.density(x[i]) }
        f[n] = 1
        for i in 0..<n { inner[i] = x[i + 1] / x[i] }
        self.r = r
    }

    static func density(_ x: Double) -> Double { Foundation.exp(-0.5 * x * x) }

    /// v(r) = r f(r) + ∫ᵣ^∞ exp(−x²/2) dx.
    static func layerArea(r: Double) -> Double {
        r * density(r) + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
    }

    /// How far the stacked layers overshoot f(0) = 1 for a trial r (negative: undershoot).
    static func topOvershoot(r: Double, layers n: Int) -> Double {
        let v = layerArea(r: r)
        var xi = r
        for _ in 1..<(n - 1) {
            let y = density(xi) + v / xi
            if y >= 1 { return 1 }  // ran out of height before the last layer
            xi = (-2 * Foundation.log(y)).squareRoot()
        }
        return density(xi) + v / xi - 1
    }
}

/// The two columns of `ZigguratTable` the fast path reads, as plain pointers: the shared
/// table is never freed, so a stream can hold them without counting references.
@usableFromInline
struct ZigguratLayers: @unchecked Sendable {  // read-only views of an immortal table
    @usableFromInline let x: UnsafePointer<Double>
    @usableFromInline let inner: UnsafePointer<Double>

    @usableFromInline init(_ table: ZigguratTable) {
        x = UnsafePointer(table.x)
        inner = UnsafePointer(table.inner)
    }
}

extension RandomStream {
    /// One draw from N(0, 1) by the ziggurat method (GSL's `gsl_ran_gaussian_ziggurat` under a
    /// GSL generator): one 64-bit word gives the layer
    /// (low 8 bits) and a signed uniform (high 53 bits); about 99 % of draws are accepted
    /// at once.
    @inlinable
    public mutating func normal() -> Double {
        if _slowPath(gsl != nil) { return gslNormal() }
        let layers = self.layers
        while true {
            let bits = nextXoshiro()
            let i = Int(truncatingIfNeeded: bits & 0xFF)
            let u = Double(Int64(bitPattern: bits) >> 11) * 0x1p-52  // U[−1, 1)
            if abs(u) < layers.inner[i] { return u * layers.x[i] }
            if let z = slowNormal(layer: i, u: u, table: ZigguratTable.shared) { return z }
        }
    }

    /// One N(0, 1) draw from the GSL generator (kept out of line so that xoshiro's loop stays small).
    @usableFromInline @inline(never)
    mutating func gslNormal() -> Double { ownedGSL().normal() }

    /// The rare branch: the tail beyond r (layer 0) or the wedge between the
    /// rectangle and the curve (other layers). Returns nil when the draw is rejected.
    @usableFromInline
    mutating func slowNormal(layer i: Int, u: Double, table: ZigguratTable) -> Double? {
        if i == 0 {
            // Tail x > r (Marsaglia 1964): x = r + a with a ~ Exp(r), accepted w.p. exp(−a²/2).
            var a = 0.0, b = 0.0
            repeat {
                a = -Foundation.log(uniformPositive()) / table.r
                b = -Foundation.log(uniformPositive())
            } while b + b < a * a
            return u < 0 ? -(table.r + a) : table.r + a
        }
        let x = u * table.x[i]
        let y = table.f[i] + uniform() * (table.f[i + 1] - table.f[i])
        return y < ZigguratTable.density(x) ? x : nil
    }

    /// Fills `buffer` with independent N(0, 1) draws.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        if gsl != nil {
            let state = ownedGSL()
            for i in buffer.indices { buffer[i] = state.normal() }
            return
        }
        let table = ZigguratTable.shared
        let xs = table.x, inner = table.inner
        var k = 0
        let n = buffer.count
        while k < n {
            let bits = nextXoshiro()
            let i = Int(truncatingIfNeeded: bits & 0xFF)
            let u = Double(Int64(bitPattern: bits) >> 11) * 0x1p-52
            if abs(u) < inner[i] {
                buffer[k] = u * xs[i]
                k += 1
            } else if let z = slowNormal(layer: i, u: u, table: table) {
                buffer[k] = z
                k += 1
            }
        }
    }

    /// `count` independent N(0, 1) draws.
    public mutating func normals(_ count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            fillNormal(buffer)
            initialized = count
        }
    }
}
