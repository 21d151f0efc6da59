import LatentDiffusion

/// The U-Nets of the published Stable Diffusion models, as their public `unet/config.json`
/// describe them (the keys that change the architecture; heads do not change the count).
enum PublishedUNets {
    /// SD 1.x: four levels of 320/640/1280/1280, two ResNets a level, a transformer at the
    /// first three (DownBlock2D at the 8×8 level), a 768-wide CLIP context.
    static var sd1: DiffusersUNetConfig {
        var c = DiffusersUNetConfig()
        c.crossAttentionDim = Array(repeating: 768, count: 4)
        return c
    }

    /// SD 2.x: SD 1.x with a 1024-wide OpenCLIP context and linear projections.
    static var sd2: DiffusersUNetConfig {
        var c = sd1
        c.crossAttentionDim = Array(repeating: 1024, count: 4)
        c.heads = [5, 10, 20, 20]
        c.linearProjection = true
        return c
    }

    /// SDXL base: three levels of 320/640/1280, no transformer at the first, 2 and 10
    /// transformer layers at the others (and 10 in the middle), a 2048-wide context, and the
    /// text_time conditioning of 1280 pooled features + 6 × 256.
    static var sdxlBase: DiffusersUNetConfig {
        var c = DiffusersUNetConfig()
        c.blockOutChannels = [320, 640, 1280]
        c.downBlocks = [.plain, .crossAttention, .crossAttention]
        c.upBlocks = [.crossAttention, .crossAttention, .plain]
        c.layersPerBlock = [2, 2, 2]
        c.transformerLayers = [1, 2, 10]
        c.crossAttentionDim = [2048, 2048, 2048]
        c.heads = [5, 10, 20]
        c.linearProjection = true
        c.textTime = .init(timeEmbedding: 256, inputs: 2816)
        return c
    }

    /// The SDXL refiner: four levels of 384/768/1536/1536, transformers (4 layers) at the middle
    /// two, a 1280-wide context, text_time of 1280 pooled features + 5 × 256.
    static var sdxlRefiner: DiffusersUNetConfig {
        var c = DiffusersUNetConfig()
        c.blockOutChannels = [384, 768, 1536, 1536]
        c.downBlocks = [.plain, .crossAttention, .crossAttention, .plain]
        c.upBlocks = [.plain, .crossAttention, .crossAttention, .plain]
        c.transformerLayers = [4, 4, 4, 4]
        c.crossAttentionDim = Array(repeating: 1280, count: 4)
        c.heads = [6, 12, 24, 24]
        c.linearProjection = true
        c.textTime = .init(timeEmbedding: 256, inputs: 2560)
        return c
    }
}
