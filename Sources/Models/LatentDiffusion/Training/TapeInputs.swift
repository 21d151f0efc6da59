import Neural
import Stochastic

extension Tape {
    /// A constant leaf of independent N(0, 1) draws (ε of the forward process or of the
    /// reparameterization), from `stream`.
    func standardNormal(shape: [Int], stream: inout RandomStream) -> Variable {
        let count = shape.reduce(1, *)
        return input(shape: shape) { target in
            for index in 0..<count { target[index] = Float(stream.normal()) }
        }
    }
}

extension FashionMNIST {
    /// The images `indices` as a constant leaf [n, 1, 32, 32].
    func input(_ indices: [Int], on tape: Tape) -> Variable {
        let batch = tape.scratch([indices.count, 1, Self.side, Self.side])
        self.batch(indices: indices, into: batch)
        let leaf = tape.constant(batch)
        tape.recycle(batch)
        return leaf
    }
}
