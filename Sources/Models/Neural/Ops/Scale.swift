/// y = c·x for a constant c (e.g. the latent scale factor of a VAE). Backward: ∂L/∂x += c·∂L/∂y.
extension Tape {
    public func scale(_ x: Variable, by factor: Float) -> Variable {
        let input = value(x), count = input.count
        let output = scratch(input.shape)
        let source = input.pointer, target = output.pointer
        for index in 0..<count { target[index] = factor * source[index] }
        return record(output) { tape, dy in
            guard tape.needsGradient(x) else { return }
            let dx = tape.gradientToAccumulate(x).pointer, upstream = dy.pointer
            for index in 0..<count { dx[index] += factor * upstream[index] }
        }
    }
}
