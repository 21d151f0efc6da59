/// Adds a per-sample, per-channel value to every spatial position: x [B, C, …], bias [B, C],
/// y[b, c, s] = x[b, c, s] + bias[b, c] (a ResNet block's projected time embedding).
/// Backward: ∂L/∂x += ∂L/∂y, ∂L/∂bias[b, c] += Σ_s ∂L/∂y[b, c, s].
extension Tape {
    public func addChannelBias(_ x: Variable, _ bias: Variable) -> Variable {
        let input = value(x), shift = value(bias)
        precondition(input.shape.count >= 2 && shift.shape.count == 2 && Array(input.shape.prefix(2)) == shift.shape,
                     "addChannelBias: x \(input.shape) must be [B, C, …] and bias \(shift.shape) [B, C]")
        let planes = shift.count, spatial = planes == 0 ? 0 : input.count / planes
        let output = scratch(input.shape)
        for plane in 0..<planes {
            let source = input.pointer + plane * spatial, target = output.pointer + plane * spatial
            let value = shift.pointer[plane]
            for s in 0..<spatial { target[s] = source[s] + value }
        }
        return record(output) { tape, dy in
            if tape.needsGradient(x) {
                let dx = tape.gradientToAccumulate(x).pointer
                for index in 0..<dy.count { dx[index] += dy.pointer[index] }
            }
            if tape.needsGradient(bias) {
                let db = tape.gradientToAccumulate(bias).pointer
                for plane in 0..<planes {
                    let source = dy.pointer + plane * spatial
                    var sum: Float = 0
                    for s in 0..<spatial { sum += source[s] }
                    db[plane] += sum
                }
            }
        }
    }
}
