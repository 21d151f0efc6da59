/// y = x·W + b for x of shape [n, in], W [in, out], b [out] (a fully connected layer on
/// each of n rows; b nil: y = x·W). Backward: ∂L/∂x += ∂L/∂y·Wᵀ, ∂L/∂W += xᵀ·∂L/∂y, ∂L/∂b += Σ_rows ∂L/∂y.
extension Tape {
    public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let input = value(x), w = value(weight), b = bias.map(value)
        let rows = input.rows, inputs = input.columns, outputs = w.columns
        precondition(w.rows == inputs && (b?.count ?? outputs) == outputs, "linear: x \(input.shape), W \(w.shape), b \(b?.shape ?? [])")
        let output = scratch([rows, outputs])
        // Every row starts as b; the product accumulates onto it (β = 1). Without b, β = 0.
        if let b { for row in 0..<rows { (output.pointer + row * outputs).update(from: b.pointer, count: outputs) } }
        BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: outputs, k: inputs,
                  a: input.pointer, lda: inputs, b: w.pointer, ldb: outputs, beta: b == nil ? 0 : 1, c: output.pointer, ldc: outputs)
        return record(output) { tape, dy in
            if tape.needsGradient(x) {
                let dx = tape.gradientToAccumulate(x)
                BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: inputs, k: outputs,
                          a: dy.pointer, lda: outputs, b: w.pointer, ldb: outputs, beta: 1, c: dx.pointer, ldc: inputs)
            }
            if tape.needsGradient(weight) {
                let dw = tape.gradientToAccumulate(weight)
                BLAS.gemm(transposeA: true, transposeB: false, m: inputs, n: outputs, k: rows,
                          a: input.pointer, lda: inputs, b: dy.pointer, ldb: outputs, beta: 1, c: dw.pointer, ldc: outputs)
            }
            if let bias, tape.needsGradient(bias) {
                let db = tape.gradientToAccumulate(bias).pointer
                for row in 0..<rows {
                    let source = dy.pointer + row * outputs
                    for column in 0..<outputs { db[column] += source[column] }
                }
            }
        }
    }
}
