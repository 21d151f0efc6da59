import Foundation
import Neural
import Stochastic

/// diffusers' `AutoencoderKL` configuration (its `config.json`), read as strictly as the
/// U-Net's: DownEncoderBlock2D / UpDecoderBlock2D levels, `layers_per_block` ResNets per
/// level (one more in the decoder), GroupNorms with ε = 10⁻⁶, a mid block of ResNet,
/// single-head attention (head width = the last level's channels) and ResNet.
public struct AutoencoderConfig: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3
    public var blockOutChannels = [64]
    public var layersPerBlock = 1
    public var latentChannels = 4
    public var groups = 32
    public var scalingFactor = 0.18215
    public var shiftFactor: Double?
    public var quantConv = true, postQuantConv = true
    public var midBlockAttention = true

    public init() {}

    /// The project's autoencoder for 32×32 Fashion-MNIST: one channel in and out, three levels
    /// of 16, 32 and 64 channels (two stride-2 downsamples: 4×8×8 latents, 1,024 pixels to 256
    /// numbers), one ResNet per level in the encoder and two in the decoder, GroupNorms of 8
    /// groups. The scale factor f is measured on the latents when the U-Net is trained and
    /// stored with it, so `scalingFactor` here is only a placeholder.
    public static let fashion: AutoencoderConfig = {
        var c = AutoencoderConfig()
        c.inChannels = 1
        c.outChannels = 1
        c.blockOutChannels = [16, 32, 64]
        c.layersPerBlock = 1
        c.latentChannels = 4
        c.groups = 8
        return c
    }()

    public init(json data: Data, source: String) throws(DiffusersModelError) {
        var r = try ConfigReader.object(data, source: source)
        try r.expectClass("AutoencoderKL")
        // Read by pipelines, not by encode and decode in Float32.
        for key in ["sample_size", "force_upcast", "latents_mean", "latents_std"] { r.ignore(key) }
        inChannels = try r.integer("in_channels", default: 3)
        outChannels = try r.integer("out_channels", default: 3)
        blockOutChannels = try r.integers("block_out_channels", default: [64])
        let levels = blockOutChannels.count
        for (key, block) in [("down_block_types", "DownEncoderBlock2D"), ("up_block_types", "UpDecoderBlock2D")] {
            let types = try r.strings(key, default: [block])
            if let other = types.first(where: { $0 != block }) { throw r.unsupported(key, value: other, supported: [block]) }
            guard types.count == levels else {
                throw DiffusersModelError("\(source): \(levels) block_out_channels need as many \(key) (found \(types.count))")
            }
        }
        layersPerBlock = try r.integer("layers_per_block", default: 1)
        latentChannels = try r.integer("latent_channels", default: 4)
        groups = try r.integer("norm_num_groups", default: 32)
        scalingFactor = try r.number("scaling_factor", default: 0.18215)
        if let value = r.take("shift_factor") {
            guard case .number(let shift) = value else { throw r.wrongType("shift_factor", value, "a number or null") }
            shiftFactor = shift
        }
        quantConv = try r.bool("use_quant_conv", default: true)
        postQuantConv = try r.bool("use_post_quant_conv", default: true)
        midBlockAttention = try r.bool("mid_block_add_attention", default: true)
        try r.expect("act_fn", equals: .string("silu"), what: "\"silu\"")
        try r.finish(model: "AutoencoderKL")
        guard levels >= 1, blockOutChannels.allSatisfy({ $0 > 0 && $0 % max(groups, 1) == 0 }), groups > 0 else {
            throw DiffusersModelError("\(source): norm_num_groups \(groups) must divide every entry of block_out_channels \(blockOutChannels)")
        }
        guard layersPerBlock >= 1, latentChannels >= 1, inChannels >= 1, outChannels >= 1 else {
            throw DiffusersModelError("\(source): layers_per_block, latent_channels, in_channels and out_channels must be positive")
        }
    }
}

extension AutoencoderConfig {
    /// diffusers' `config.json` for this autoencoder, which `init(json:source:)` reads back,
    /// with the pipeline's `scaling_factor` and the images' `sample_size`.
    public func json(scalingFactor: Double, sampleSize: Int) -> Data {
        let object: [String: Any] = [
            "_class_name": "AutoencoderKL",
            "in_channels": inChannels,
            "out_channels": outChannels,
            "down_block_types": Array(repeating: "DownEncoderBlock2D", count: blockOutChannels.count),
            "up_block_types": Array(repeating: "UpDecoderBlock2D", count: blockOutChannels.count),
            "block_out_channels": blockOutChannels,
            "layers_per_block": layersPerBlock,
            "act_fn": "silu",
            "latent_channels": latentChannels,
            "norm_num_groups": groups,
            "sample_size": sampleSize,
            "scaling_factor": scalingFactor,
            "shift_factor": shiftFactor.map { $0 as Any } ?? NSNull(),
            "use_quant_conv": quantConv,
            "use_post_quant_conv": postQuantConv,
            "mid_block_add_attention": midBlockAttention,
            "force_upcast": false,
        ]
        // Plain values only: serialization cannot fail.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}
