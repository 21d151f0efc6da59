import ForwardProcess
import Neural
import Stochastic

/// Trains `EpsilonMLP` on a toy data set with DDPM's simplified objective (Algorithm 1):
/// draw x₀ from the training points, t ~ U{1…T} (or more small t, `timestepPower`), ε ~ N(0, I); form
/// xₜ = √ᾱₜ x₀ + √(1 − ᾱₜ) ε with `ForwardProcess.noised`; take an Adam step on
/// ‖ε − ε_θ(xₜ, t)‖² (eq. 14), its gradients clipped to a global norm if the configuration
/// asks; update the EMA of the weights.
///
/// Everything random comes from one `RandomStream`, whose state is checkpointed with the
/// weights, the Adam moments, the EMA and the loss history, so a resumed run continues
/// bit for bit. Training runs OpenBLAS on one thread: its multi-threaded sgemm may split
/// the work differently from call to call (when other calls are in flight), and so round
/// differently, which would break that guarantee.
public final class ToyTrainer {
    public let configuration: ToyTrainingConfiguration
    public let schedule: NoiseSchedule
    public let model: EpsilonMLP
    public let optimizer: Adam
    public let ema: ExponentialMovingAverage
    /// The training points, x and y interleaved, drawn from the seed.
    public let data: [Float]
    /// The loss of every step taken.
    public internal(set) var losses: [Float] = []
    var stream: RandomStream

    private let tape = Tape()
    private var points: [Float]
    private var noise: [Float]
    private var indices: [Int]

    public init(_ configuration: ToyTrainingConfiguration) throws {
        self.configuration = configuration
        schedule = try NoiseSchedule.linear(steps: configuration.diffusionSteps)
        model = EpsilonMLP(steps: configuration.diffusionSteps, seed: configuration.seed)
        optimizer = Adam(model.parameters, learningRate: configuration.learningRate)
        ema = ExponentialMovingAverage(model.parameters, decay: configuration.emaDecay)
        var dataStream = RandomStream(seed: configuration.seed, stream: 0x44_4154_41)
        data = configuration.dataset.sample(configuration.trainingPoints, stream: &dataStream).flatMap { [Float($0.x), Float($0.y)] }
        stream = RandomStream(seed: configuration.seed, stream: 0x5452_4149_4E)
        points = [Float](repeating: 0, count: 2 * configuration.batchSize)
        noise = points
        indices = [Int](repeating: 0, count: configuration.batchSize)
    }

    /// The number of optimizer steps taken.
    public var step: Int { optimizer.step }

    /// One training step; returns its loss (NaN if training diverged; the weights are then
    /// already updated with NaN, so stop and keep the last good checkpoint).
    @discardableResult
    public func trainStep() -> Float {
        BLAS.threads = 1
        let batch = configuration.batchSize, n = data.count / 2
        // The batch is drawn into local copies: each access to a stored property of this
        // class inside the loop would be checked for exclusivity at run time (~2 % of a step).
        var stream = self.stream
        defer { self.stream = stream }
        indices.withUnsafeMutableBufferPointer { indices in
            noise.withUnsafeMutableBufferPointer { noise in
                points.withUnsafeMutableBufferPointer { points in
                    for row in 0..<batch {
                        let source = stream.index(below: n)
                        let t = configuration.drawTimestep(&stream)
                        indices[row] = t - 1
                        for axis in 0..<2 {
                            let epsilon = stream.normal()
                            noise[2 * row + axis] = Float(epsilon)
                            points[2 * row + axis] = Float(ForwardProcess.noised(schedule, t: t, x0: Double(data[2 * source + axis]), epsilon: epsilon))
                        }
                    }
                }
            }
        }
        let prediction = points.withUnsafeBufferPointer { model($0.baseAddress!, indices: indices, on: tape) }
        let target = tape.input(shape: [batch, 2]) { target in noise.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: 2 * batch) } }
        let loss = tape.meanSquaredError(prediction, target)
        tape.backward(from: loss)
        let value = tape.value(loss)[0]
        tape.reset()
        if let clipNorm = configuration.clipNorm { GradientClipping.clip(model.parameters, maxNorm: clipNorm) }
        optimizer.learningRate = configuration.learningRate(at: optimizer.step + 1)
        optimizer.update()
        ema.update()
        losses.append(value)
        return value
    }
}
