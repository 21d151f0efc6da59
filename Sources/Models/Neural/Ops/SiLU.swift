/// SiLU (swish): y = x·σ(x), element-wise. Backward: ∂y/∂x = σ(x)·(1 + x·(1 − σ(x))).
/// Large tensors are split over the threads (`Parts.elements`).
extension Tape {
    public func silu(_ x: Variable) -> Variable {
        let input = value(x)
        let output = scratch(input.shape)
        let sigmoid = scratch(input.shape)
        Parts.elements(input.count) { range in
            let source = input.pointer, target = output.pointer, gate = sigmoid.pointer
            for index in range {
                let s = FastMath.sigmoid(source[index])
                gate[index] = s
                target[index] = source[index] * s
            }
        }
        return record(output, extras: [sigmoid]) { tape, dy in
            let dx = tape.gradientToAccumulate(x)
            Parts.elements(input.count) { range in
                let source = input.pointer, gate = sigmoid.pointer, upstream = dy.pointer, target = dx.pointer
                for index in range {
                    let s = gate[index]
                    target[index] += upstream[index] * s * (1 + source[index] * (1 - s))
                }
            }
        }
    }
}
