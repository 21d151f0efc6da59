import Neural
import Stochastic

/// Mini-batch training of one latent-diffusion model with Adam: each epoch visits the
/// training examples in a fresh random order (a permutation drawn from the seed and the
/// epoch number), one optimizer step per full batch; the last partial batch is dropped.
///
/// The batch order depends only on (seed, epoch), and every other draw comes from one
/// `RandomStream` whose state is checkpointed with the weights, Adam's moments, the EMA and
/// the losses, so a resumed run continues bit for bit (for the same BLAS thread count).
public final class LatentTrainer {
    public let task: any LatentTrainingTask
    public let configuration: LatentTrainingConfiguration
    public let optimizer: Adam
    public let ema: ExponentialMovingAverage?
    /// The number of training examples used.
    public let examples: Int
    /// The loss of every step taken.
    public internal(set) var losses: [Float] = []
    var stream: RandomStream

    private let tape = Tape()
    private var order: (epoch: Int, indices: [Int]) = (-1, [])

    public init(task: any LatentTrainingTask, examples: Int, configuration: LatentTrainingConfiguration) {
        self.task = task
        self.configuration = configuration
        self.examples = min(examples, configuration.examples ?? examples)
        optimizer = Adam(task.parameters, learningRate: configuration.learningRate)
        ema = configuration.emaDecay.map { ExponentialMovingAverage(task.parameters, decay: $0) }
        stream = RandomStream(seed: configuration.seed, stream: 0x4C54_5241)
    }

    /// The number of optimizer steps taken.
    public var step: Int { optimizer.step }
    public var stepsPerEpoch: Int { max(examples / configuration.batchSize, 1) }
    public var totalSteps: Int { configuration.epochs * stepsPerEpoch }
    public var isFinished: Bool { step >= totalSteps }

    /// The examples of the batch at `step`.
    func batch(at step: Int) -> [Int] {
        let epoch = step / stepsPerEpoch, position = step % stepsPerEpoch
        if order.epoch != epoch {
            var shuffle = RandomStream(seed: configuration.seed, stream: 0x5045_524D_0000 + UInt64(epoch))
            var indices = Array(0..<examples)
            for i in stride(from: indices.count - 1, to: 0, by: -1) { indices.swapAt(i, shuffle.index(below: i + 1)) }
            order = (epoch, indices)
        }
        let size = min(configuration.batchSize, examples)
        return Array(order.indices[position * size..<(position + 1) * size])
    }

    /// One optimizer step; returns its loss (NaN if training diverged: the weights then
    /// hold NaN, so stop and keep the last good checkpoint).
    @discardableResult
    public func trainStep() -> Float {
        let loss = task.loss(indices: batch(at: step), stream: &stream, on: tape)
        tape.backward(from: loss)
        let value = tape.value(loss)[0]
        tape.reset()
        optimizer.update()
        ema?.update()
        losses.append(value)
        return value
    }
}
