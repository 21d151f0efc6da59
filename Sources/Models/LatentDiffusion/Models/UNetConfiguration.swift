/// The shape of a conditional latent U-Net: channels per level (each level after the
/// first halves the resolution), the attention block at every level, and the context the
/// cross-attention reads.
public struct UNetConfiguration: Sendable, Equatable {
    public enum Attention: String, Sendable {
        /// Stable Diffusion's SpatialTransformer (GN, proj_in, self + cross + GEGLU, proj_out).
        case spatialTransformer
        /// The benchmark block: GN → self-attention → proj, then LN → cross-attention.
        case compact
    }

    public var latentChannels = 4
    public var channels = [64, 128]
    public var groups = 8
    public var heads = 4
    public var timeEmbedding = 64
    public var timeDimensions = 256
    public var contextChannels = 64
    public var attention = Attention.spatialTransformer

    public init() {}

    /// The configuration of `lessons bench unet` and of the PyTorch reference
    /// (scripts/bench-pytorch-unet.py): 1,613,508 parameters with its class-embedding context.
    public static var benchmark: UNetConfiguration {
        var c = UNetConfiguration()
        c.attention = .compact
        return c
    }

    /// The model trained on Fashion-MNIST latents.
    public static var fashion: UNetConfiguration { UNetConfiguration() }
}
