/// Nearest-neighbour upsampling by an integer factor f: x [B, C, H, W] → y [B, C, f·H, f·W],
/// y[b, c, i, j] = x[b, c, ⌊i/f⌋, ⌊j/f⌋]. Backward: each input pixel receives the sum of
/// ∂L/∂y over the f×f block it was copied to.
extension Tape {
    public func upsampleNearest(_ x: Variable, factor: Int = 2) -> Variable {
        let input = value(x)
        precondition(input.shape.count == 4, "upsampleNearest: x \(input.shape) must be [B, C, H, W]")
        precondition(factor >= 1, "upsampleNearest: factor \(factor) must be ≥ 1")
        let planes = input.shape[0] * input.shape[1], height = input.shape[2], width = input.shape[3]
        let outputWidth = factor * width, outputPlane = factor * height * outputWidth, inputPlane = height * width
        let output = scratch([input.shape[0], input.shape[1], factor * height, outputWidth])
        for plane in 0..<planes {
            let source = input.pointer + plane * inputPlane, target = output.pointer + plane * outputPlane
            for i in 0..<height {
                let line = target + i * factor * outputWidth, sourceLine = source + i * width
                for j in 0..<width {
                    let v = sourceLine[j]
                    for copy in 0..<factor { line[j * factor + copy] = v }
                }
                for copy in 1..<factor { (line + copy * outputWidth).update(from: line, count: outputWidth) }
            }
        }
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer
            for plane in 0..<planes {
                let source = dy.pointer + plane * outputPlane, target = dx + plane * inputPlane
                for i in 0..<height {
                    let targetLine = target + i * width
                    for j in 0..<width {
                        var sum: Float = 0
                        for row in 0..<factor {
                            let line = source + (i * factor + row) * outputWidth + j * factor
                            for copy in 0..<factor { sum += line[copy] }
                        }
                        targetLine[j] += sum
                    }
                }
            }
        }
    }
}
