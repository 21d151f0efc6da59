/// SiLU (swish): y = x·σ(x), element-wise. Backward: ∂y/∂x = σ(x)·(1 + x·(1 − σ(x))).
extension Tape {
    public func silu(_ x: Variable) -> Variable {
        let input = value(x), count = input.count
        let output = scratch(input.shape)
        let sigmoid = scratch(input.shape)
        let source = input.pointer, target = output.pointer, gate = sigmoid.pointer
        for index in 0..<count {
            let s = FastMath.sigmoid(source[index])
            gate[index] = s
            target[index] = source[index] * s
        }
        return record(output, extras: [sigmoid]) { tape, dy in
            let dx = tape.gradientToAccumulate(x).pointer, upstream = dy.pointer
            for index in 0..<count {
                let s = gate[index]
                dx[index] += upstream[index] * s * (1 + source[index] * (1 - s))
            }
        }
    }
}
