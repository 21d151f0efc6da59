/// Zero padding after the last row and column: x [B, C, H, W] → y [B, C, H + p, W + p] with
/// y = x on the first H × W and 0 elsewhere (PyTorch's F.pad(x, (0, p, 0, p)), which
/// diffusers' autoencoder applies before its stride-2 convolutions with padding 0).
/// Backward: ∂L/∂x is ∂L/∂y cropped to H × W.
extension Tape {
    public func padTrailing(_ x: Variable, by padding: Int = 1) -> Variable {
        let input = value(x)
        precondition(input.shape.count == 4 && padding >= 0, "padTrailing: x \(input.shape) must be [B, C, H, W], padding \(padding) ≥ 0")
        let planes = input.shape[0] * input.shape[1], height = input.shape[2], width = input.shape[3]
        let outputWidth = width + padding, outputPlane = (height + padding) * outputWidth
        let output = scratch([input.shape[0], input.shape[1], height + padding, outputWidth])
        output.pointer.update(repeating: 0, count: output.count)
        for plane in 0..<planes {
            for i in 0..<height {
                (output.pointer + plane * outputPlane + i * outputWidth).update(from: input.pointer + (plane * height + i) * width, count: width)
            }
        }
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer
            for plane in 0..<planes {
                for i in 0..<height {
                    let source = dy.pointer + plane * outputPlane + i * outputWidth, target = dx + (plane * height + i) * width
                    for j in 0..<width { target[j] += source[j] }
                }
            }
        }
    }
}
