/// Matrix products and reductions for the small per-head blocks of attention (typically
/// 64×64 by 16 or 32), where `cblas_sgemm`'s packing and call overhead dominate: on this
/// project's machine OpenBLAS 0.3.21 ran the 256 head blocks of a batch-64, 64-token, 4-head
/// layer at ~6 GFLOP/s, and this register-blocked loop runs them 2–4× faster (and no slower
/// up to 256 tokens × 64 columns per head).
enum SmallMatrix {
    typealias Vector = SIMD8<Float>
    typealias Quad = SIMD4<Float>

    /// C = α·A·B + β·C, row-major, C m×n, A m×k, B k×n. A's element (i, p) is read at
    /// a[i·rowStride + p·columnStride] (so a stored Aᵀ is passed by swapping the strides);
    /// B and C have row strides `ldb` and `ldc`. With β = 0, C is only written. C must not
    /// overlap A or B. Blocks of 4 rows × 16 columns of C are accumulated in eight SIMD8
    /// registers over the whole of k, then 8-, 4- and 1-column remainders (few keys, as in
    /// cross-attention to a short context, give n = 4…8).
    static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var i = 0
        while i + 4 <= m {
            let a0 = a + i * rowStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride
            let c0 = c + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
            var j = 0
            while j + 16 <= n {
                var x0 = Vector(), y0 = Vector(), x1 = Vector(), y1 = Vector()
                var x2 = Vector(), y2 = Vector(), x3 = Vector(), y3 = Vector()
                for p in 0..<k {
                    let row = b + p * ldb + j, offset = p * columnStride
                    let left = load(row), right = load(row + 8)
                    let s0 = Vector(repeating: a0[offset]), s1 = Vector(repeating: a1[offset])
                    let s2 = Vector(repeating: a2[offset]), s3 = Vector(repeating: a3[offset])
                    x0.addProduct(s0, left); y0.addProduct(s0, right)
                    x1.addProduct(s1, left); y1.addProduct(s1, right)
                    x2.addProduct(s2, left); y2.addProduct(s2, right)
                    x3.addProduct(s3, left); y3.addProduct(s3, right)
                }
                store(x0, c0 + j, alpha, beta); store(y0, c0 + j + 8, alpha, beta)
                store(x1, c1 + j, alpha, beta); store(y1, c1 + j + 8, alpha, beta)
                store(x2, c2 + j, alpha, beta); store(y2, c2 + j + 8, alpha, beta)
                store(x3, c3 + j, alpha, beta); store(y3, c3 + j + 8, alpha, beta)
                j += 16
            }
            if j + 8 <= n {
                var x0 = Vector(), x1 = Vector(), x2 = Vector(), x3 = Vector()
                for p in 0..<k {
                    let row = load(b + p * ldb + j), offset = p * columnStride
                    x0.addProduct(Vector(repeating: a0[offset]), row)
                    x1.addProduct(Vector(repeating: a1[offset]), row)
                    x2.addProduct(Vector(repeating: a2[offset]), row)
                    x3.addProduct(Vector(repeating: a3[offset]), row)
                }
                store(x0, c0 + j, alpha, beta); store(x1, c1 + j, alpha, beta)
                store(x2, c2 + j, alpha, beta); store(x3, c3 + j, alpha, beta)
                j += 8
            }
            if j + 4 <= n {
                var x0 = Quad(), x1 = Quad(), x2 = Quad(), x3 = Quad()
                for p in 0..<k {
                    let row = loadQuad(b + p * ldb + j), offset = p * columnStride
                    x0.addProduct(Quad(repeating: a0[offset]), row)
                    x1.addProduct(Quad(repeating: a1[offset]), row)
                    x2.addProduct(Quad(repeating: a2[offset]), row)
                    x3.addProduct(Quad(repeating: a3[offset]), row)
                }
                store(x0, c0 + j, alpha, beta); store(x1, c1 + j, alpha, beta)
                store(x2, c2 + j, alpha, beta); store(x3, c3 + j, alpha, beta)
                j += 4
            }
            for r in 0..<4 {
                singleRow(from: j, n: n, k: k, alpha: alpha, a: a0 + r * rowStride, columnStride: columnStride,
                          b: b, ldb: ldb, beta: beta, c: c0 + r * ldc)
            }
            i += 4
        }
        while i < m {
            singleRow(from: 0, n: n, k: k, alpha: alpha, a: a + i * rowStride, columnStride: columnStride,
                      b: b, ldb: ldb, beta: beta, c: c + i * ldc)
            i += 1
        }
    }

    /// Columns `start..<n` of one row of C: 8 at a time, then one at a time.
    @inline(__always)
    private static func singleRow(
        from start: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, columnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>
    ) {
        var j = start
        while j + 8 <= n {
            var x = Vector()
            for p in 0..<k { x.addProduct(Vector(repeating: a[p * columnStride]), load(b + p * ldb + j)) }
            store(x, c + j, alpha, beta)
            j += 8
        }
        if j + 4 <= n {
            var x = Quad()
            for p in 0..<k { x.addProduct(Quad(repeating: a[p * columnStride]), loadQuad(b + p * ldb + j)) }
            store(x, c + j, alpha, beta)
            j += 4
        }
        while j < n {
            var sum: Float = 0
            for p in 0..<k { sum += a[p * columnStride] * b[p * ldb + j] }
            c[j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[j]
            j += 1
        }
    }

    /// target[p·rows + r] = source[r·stride + p] for r < rows, p < columns: a strided
    /// [rows, columns] block written out as its contiguous transpose [columns, rows].
    static func transpose(_ source: UnsafePointer<Float>, stride: Int, rows: Int, columns: Int, into target: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let line = source + r * stride
            for p in 0..<columns { target[p * rows + r] = line[p] }
        }
    }

    /// max of x[0..<count], count ≥ 1. Written as a select, which the compiler vectorizes
    /// (the generic `pointwiseMax` on SIMD8 was 12× slower).
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var result = x[0]
        for j in 1..<count { result = x[j] > result ? x[j] : result }
        return result
    }

    /// Σ x[i]·y[i] over i < count (eight partial sums, then the remainder).
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var j = 0, lanes = Vector()
        while j + 8 <= count { lanes.addProduct(load(x + j), load(y + j)); j += 8 }
        var result = lanes.sum()
        while j < count { result += x[j] * y[j]; j += 1 }
        return result
    }

    /// Σ x[i] over i < count.
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var j = 0, lanes = Vector()
        while j + 8 <= count { lanes += load(x + j); j += 8 }
        var result = lanes.sum()
        while j < count { result += x[j]; j += 1 }
        return result
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private static func loadQuad(_ pointer: UnsafePointer<Float>) -> Quad {
        UnsafeRawPointer(pointer).loadUnaligned(as: Quad.self)
    }

    /// C ← α·x, or α·x + β·C, for 8 or 4 consecutive elements of C.
    @inline(__always)
    private static func store<Lanes: SIMD>(_ x: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ alpha: Float, _ beta: Float)
    where Lanes.Scalar == Float {
        let raw = UnsafeMutableRawPointer(pointer)
        let result = beta == 0 ? alpha * x : alpha * x + beta * raw.loadUnaligned(as: Lanes.self)
        raw.storeBytes(of: result, as: Lanes.self)
    }
}
