/// GEGLU (Shazeer 2020, "GLU Variants Improve Transformer"), the gated feed-forward of
/// Stable Diffusion's transformer blocks: x [n, 2m] is split into a = x[:, :m] and the gate
/// g = x[:, m:], and y = a ⊙ GELU(g) [n, m], with the exact GELU of `gelu` (g·Φ(g)).
/// Backward: ∂L/∂a = ∂L/∂y ⊙ GELU(g), ∂L/∂g = ∂L/∂y ⊙ a ⊙ GELU′(g), GELU′(g) = Φ(g) + g·φ(g).
/// The rows are split over the threads (`Parts.run`).
extension Tape {
    public func geglu(_ x: Variable) -> Variable {
        let input = value(x)
        precondition(input.shape.count == 2 && input.columns % 2 == 0, "geglu: expects [n, 2m], got \(input.shape)")
        let rows = input.rows, width = input.columns, half = width / 2
        let output = scratch([rows, half])
        // Rows are independent: split over the threads.
        Parts.run(rows, work: input.count) { part in
            for row in part {
                let a = input.pointer + row * width, g = a + half, y = output.pointer + row * half
                for column in 0..<half { y[column] = a[column] * Self.geluValue(g[column]) }
            }
        }
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x)
            Parts.run(rows, work: input.count) { part in
                for row in part {
                    let a = input.pointer + row * width, g = a + half, gradient = dy.pointer + row * half
                    let da = dx.pointer + row * width, dg = da + half
                    for column in 0..<half {
                        let gate = g[column]
                        da[column] += gradient[column] * Self.geluValue(gate)
                        dg[column] += gradient[column] * a[column] * Self.geluDerivative(gate)
                    }
                }
            }
        }
    }
}
