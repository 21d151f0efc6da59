import ScoreODE

/// Float32 points as the state of a σ-space sampler: every solver step of `ScoreODE` is a
/// linear combination of such batches with Double coefficients, evaluated here in Float32.
/// So the model's samplers run the very solver code that the math checks verify.
public struct PointBatch: SamplerState, Equatable {
    public var values: [Float]

    public init(_ values: [Float]) { self.values = values }

    public static func combination(_ terms: [(Double, PointBatch)]) -> PointBatch {
        guard let first = terms.first else { return PointBatch([]) }
        let c0 = Float(first.0)
        var result = first.1.values.map { c0 * $0 }
        for (c, batch) in terms.dropFirst() {
            precondition(batch.values.count == result.count, "a combination of batches of different sizes")
            let cf = Float(c)
            batch.values.withUnsafeBufferPointer { source in
                result.withUnsafeMutableBufferPointer { target in
                    for i in target.indices { target[i] += cf * source[i] }
                }
            }
        }
        return PointBatch(result)
    }
}
