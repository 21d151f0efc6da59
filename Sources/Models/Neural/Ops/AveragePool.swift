/// Global average pooling over the spatial dimensions: x [B, C, H, W] (or [B, C, …]) → y [B, C],
/// y[b, c] = (1/S) Σ_s x[b, c, s] with S the spatial size. Backward: ∂L/∂x[b, c, s] += ∂L/∂y[b, c]/S.
extension Tape {
    public func averagePool(_ x: Variable) -> Variable {
        let input = value(x)
        precondition(input.shape.count >= 3, "averagePool: x \(input.shape) must be [B, C, H, W]")
        let batch = input.shape[0], channels = input.shape[1], planes = batch * channels
        let spatial = planes == 0 ? 0 : input.count / planes
        precondition(spatial > 0, "averagePool: empty spatial dimensions in \(input.shape)")
        let output = scratch([batch, channels])
        let scale = 1 / Float(spatial)
        for plane in 0..<planes {
            let source = input.pointer + plane * spatial
            var sum: Float = 0
            for s in 0..<spatial { sum += source[s] }
            output.pointer[plane] = sum * scale
        }
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer
            for plane in 0..<planes {
                let share = dy.pointer[plane] * scale, target = dx + plane * spatial
                for s in 0..<spatial { target[s] += share }
            }
        }
    }
}
