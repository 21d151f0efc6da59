/// How a latent-diffusion model is trained: passes over the training set, batch size, Adam's
/// learning rate, the seed of every random draw, and the EMA of the weights (U-Net only).
public struct LatentTrainingConfiguration: Sendable, Equatable {
    public var epochs = 1
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 0
    /// Decay of the weights' exponential moving average; nil keeps none (the weights are used as they are).
    public var emaDecay: Float? = nil
    /// Use only the first `examples` training images (nil: all 60,000).
    public var examples: Int? = nil

    public init() {}

    /// The defaults of each model.
    public static func defaults(for kind: LatentModelKind) -> LatentTrainingConfiguration {
        var c = LatentTrainingConfiguration()
        switch kind {
        case .classifier: c.epochs = 3; c.batchSize = 64; c.learningRate = 1e-3
        case .autoencoder: c.epochs = 2; c.batchSize = 32; c.learningRate = 1e-3
        case .unet: c.epochs = 10; c.batchSize = 64; c.learningRate = 1e-3; c.emaDecay = 0.999
        }
        return c
    }
}
