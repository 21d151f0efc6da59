import Neural
import Stochastic

/// The autoencoder's posterior q(z|x) = N(μ, diag σ²) for every image of a data set, computed
/// once so the U-Net trains on latents without running the encoder at every step, and
/// the class of each image.
public struct LatentCodes {
    /// μ and log σ², each [N, 4, 8, 8].
    public let mean: Tensor, logVariance: Tensor
    public let labels: [Int]
    public var count: Int { labels.count }
    public static let shape = [Autoencoder.latentChannels, 8, 8]
    public static let dimensions = shape.reduce(1, *)

    /// Encodes the first `count` images of `data` (all by default) in batches of
    /// `batchSize`; `progress(done, total)` after each batch.
    public init(encoding data: FashionMNIST, count: Int? = nil, with autoencoder: Autoencoder, batchSize: Int = 250, progress: ((Int, Int) -> Void)? = nil) {
        let n = min(count ?? data.count, data.count), d = Self.dimensions
        mean = Tensor(zeros: [n] + Self.shape)
        logVariance = Tensor(zeros: [n] + Self.shape)
        labels = Array(data.labels.prefix(n))
        let tape = Tape()
        tape.isRecording = false
        var start = 0
        while start < n {
            let indices = Array(start..<min(start + batchSize, n))
            let moments = autoencoder.encode(data.input(indices, on: tape), on: tape)
            (mean.pointer + start * d).update(from: tape.value(moments.mean).pointer, count: indices.count * d)
            (logVariance.pointer + start * d).update(from: tape.value(moments.logVariance).pointer, count: indices.count * d)
            tape.reset()
            start += indices.count
            progress?(start, n)
        }
    }
}

extension LatentCodes {
    /// `count` latents drawn from N(0, I) with σ ≈ 0 (log σ² = −60), random labels: the benchmark's data.
    public init(standardNormal count: Int, seed: UInt64) {
        var stream = RandomStream(seed: seed, stream: 0x4E4F_524D)
        mean = Tensor(zeros: [count] + Self.shape)
        logVariance = Tensor(zeros: [count] + Self.shape)
        for k in 0..<mean.count {
            mean[k] = Float(stream.normal())
            logVariance[k] = -60
        }
        labels = (0..<count).map { _ in stream.index(below: 10) }
    }
}
