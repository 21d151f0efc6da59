/// Compares a tape's gradients with central finite differences of the same Float32
/// computation, Richardson-extrapolated to cancel the h² error term:
/// D(h) = (L(θ + h) − L(θ − h))/2h, D* = (4·D(h/2) − D(h))/3, with error O(h⁴) plus
/// Float32 rounding of order 1e-7·|L|/h. Errors are relative to the largest |∂L/∂θ| of
/// each tensor, so a tolerance near 1e-3 separates a right backward from a wrong one.
public enum GradientCheck {
    public struct Result: Sendable {
        /// The largest |analytic − numeric| / max(|numeric|) over all leaves.
        public let maxRelativeError: Double
        /// Which leaf and element that was.
        public let worst: String
        /// The number of elements compared.
        public let elements: Int
    }

    /// `leaves` are the tensors the loss depends on; `build` records the loss (a scalar)
    /// on the tape, given one variable per leaf. The leaves' values are restored.
    public static func compare(leaves: [Tensor], step: Float = 0.05, build: (Tape, [Variable]) -> Variable) -> Result {
        let parameters = leaves.enumerated().map { Parameter(name: "leaf\($0.offset)", value: $0.element) }
        let tape = Tape()
        let loss = build(tape, parameters.map { tape.parameter($0) })
        tape.backward(from: loss)
        tape.reset()

        // One inference tape for the 4 evaluations per element, reset in between: its pool
        // hands the same memory back, so the thousands of evaluations allocate nothing new.
        let evaluation = Tape()
        evaluation.isRecording = false
        func evaluate() -> Double {
            defer { evaluation.reset() }
            return Double(evaluation.value(build(evaluation, parameters.map { evaluation.parameter($0) }))[0])
        }
        func centralDifference(_ tensor: Tensor, _ index: Int, _ h: Float) -> Double {
            let original = tensor[index]
            tensor[index] = original + h
            let up = evaluate()
            tensor[index] = original - h
            let down = evaluate()
            tensor[index] = original
            // The steps actually taken, after Float32 rounding of θ ± h.
            return (up - down) / (Double(original + h) - Double(original - h))
        }

        var worst = (error: 0.0, name: "none"), elements = 0
        for (leafIndex, parameter) in parameters.enumerated() {
            let tensor = parameter.value
            var numeric = [Double](repeating: 0, count: tensor.count)
            for index in 0..<tensor.count {
                let coarse = centralDifference(tensor, index, step)
                let fine = centralDifference(tensor, index, step / 2)
                numeric[index] = (4 * fine - coarse) / 3
            }
            let scale = max(numeric.map(abs).max() ?? 0, 1e-6)
            for index in 0..<tensor.count {
                let error = abs(Double(parameter.gradient[index]) - numeric[index]) / scale
                if error > worst.error { worst = (error, "leaf \(leafIndex) \(tensor.shape) element \(index)") }
            }
            elements += tensor.count
        }
        return Result(maxRelativeError: worst.error, worst: worst.name, elements: elements)
    }
}
