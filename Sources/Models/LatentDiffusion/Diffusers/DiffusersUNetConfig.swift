import Foundation

/// A diffusers `UNet2DConditionModel` configuration (its `config.json`), read strictly: every
/// key is one this reader builds, one that does not change a Float32 forward pass (`dropout`,
/// `sample_size`, `upcast_attention`, the `_…` bookkeeping), or one left at its default; any
/// other key or value is an error that names it and says what is supported.
///
/// The channel and head arithmetic is diffusers': the time embedding is 4 × the first level's
/// channels; `attention_head_dim` is, for this model class, the number of heads per level
/// (diffusers' own naming quirk: `num_attention_heads = num_attention_heads or
/// attention_head_dim`), so each head has channels/heads dimensions; up block i reads the
/// per-level lists reversed, with one more ResNet than its down block.
public struct DiffusersUNetConfig: Sendable, Equatable {
    public enum DownBlock: String, Sendable, CaseIterable { case crossAttention = "CrossAttnDownBlock2D", plain = "DownBlock2D" }
    public enum UpBlock: String, Sendable, CaseIterable { case crossAttention = "CrossAttnUpBlock2D", plain = "UpBlock2D" }

    /// SDXL's added conditioning (`addition_embed_type: "text_time"`): the pooled text
    /// embedding concatenated with the Fourier embeddings (`timeEmbedding` dimensions each) of
    /// the six size and crop numbers, `inputs` values in all, through a TimestepEmbedding MLP
    /// and added to the time embedding.
    public struct TextTime: Sendable, Equatable {
        public var timeEmbedding: Int
        public var inputs: Int

        public init(timeEmbedding: Int, inputs: Int) {
            self.timeEmbedding = timeEmbedding
            self.inputs = inputs
        }
    }

    public var inChannels = 4, outChannels = 4
    public var centerInputSample = false
    public var flipSinToCos = true
    public var freqShift = 0.0
    public var downBlocks: [DownBlock] = [.crossAttention, .crossAttention, .crossAttention, .plain]
    public var hasMidBlock = true
    public var upBlocks: [UpBlock] = [.plain, .crossAttention, .crossAttention, .crossAttention]
    public var blockOutChannels = [320, 640, 1280, 1280]
    public var layersPerBlock = [2, 2, 2, 2]
    public var groups = 32
    public var epsilon = 1e-5
    public var crossAttentionDim = [1280, 1280, 1280, 1280]
    public var transformerLayers = [1, 1, 1, 1]
    public var heads = [8, 8, 8, 8]
    public var linearProjection = false
    public var textTime: TextTime?

    /// The time embedding's width, 4 × the first level's channels.
    public var timeDimensions: Int { 4 * blockOutChannels[0] }

    public init() {}

    /// Reads `config.json` of a diffusers U-Net folder.
    public init(contentsOf url: URL) throws(DiffusersModelError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DiffusersModelError("cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(json: data, source: url.path)
    }

    public init(json data: Data, source: String) throws(DiffusersModelError) {
        var reader = try ConfigReader.object(data, source: source)
        try self.init(reading: &reader)
        try reader.finish(model: "UNet2DConditionModel")
        try validate(source: source)
    }

    private init(reading r: inout ConfigReader) throws(DiffusersModelError) {
        try r.expectClass("UNet2DConditionModel")
        for key in ["sample_size", "dropout", "upcast_attention"] { r.ignore(key) }
        inChannels = try r.integer("in_channels", default: 4)
        outChannels = try r.integer("out_channels", default: 4)
        centerInputSample = try r.bool("center_input_sample", default: false)
        flipSinToCos = try r.bool("flip_sin_to_cos", default: true)
        freqShift = try r.number("freq_shift", default: 0)
        downBlocks = try r.strings("down_block_types", default: downBlocks.map(\.rawValue)).map { (name) throws(DiffusersModelError) in
            guard let block = DownBlock(rawValue: name) else { throw r.unsupported("down_block_types", value: name, supported: DownBlock.allCases.map(\.rawValue)) }
            return block
        }
        upBlocks = try r.strings("up_block_types", default: upBlocks.map(\.rawValue)).map { (name) throws(DiffusersModelError) in
            guard let block = UpBlock(rawValue: name) else { throw r.unsupported("up_block_types", value: name, supported: UpBlock.allCases.map(\.rawValue)) }
            return block
        }
        let mid = try r.optionalString("mid_block_type", default: "UNetMidBlock2DCrossAttn")
        guard mid == nil || mid == "UNetMidBlock2DCrossAttn" else {
            throw r.unsupported("mid_block_type", value: mid!, supported: ["UNetMidBlock2DCrossAttn", "null"])
        }
        hasMidBlock = mid != nil
        blockOutChannels = try r.integers("block_out_channels", default: blockOutChannels)
        let levels = blockOutChannels.count
        layersPerBlock = try r.perLevel("layers_per_block", default: 2, levels: levels)
        groups = try r.integer("norm_num_groups", default: 32)
        epsilon = try r.number("norm_eps", default: 1e-5)
        crossAttentionDim = try r.perLevel("cross_attention_dim", default: 1280, levels: levels)
        transformerLayers = try r.perLevel("transformer_layers_per_block", default: 1, levels: levels)
        heads = try r.perLevel("attention_head_dim", default: 8, levels: levels)
        linearProjection = try r.bool("use_linear_projection", default: false)
        try r.expect("num_attention_heads", equals: .null, what: "null (diffusers itself refuses it for this model)")
        try r.expect("act_fn", equals: .string("silu"), what: "\"silu\"")
        try r.expect("downsample_padding", equals: .number(1), what: "1")
        try r.expect("mid_block_scale_factor", equals: .number(1), what: "1")
        try r.expect("resnet_out_scale_factor", equals: .number(1), what: "1")
        try r.expect("only_cross_attention", equals: .bool(false), what: "false")
        try r.expect("mid_block_only_cross_attention", equals: .null, what: "null")
        try r.expect("dual_cross_attention", equals: .bool(false), what: "false")
        try r.expect("resnet_time_scale_shift", equals: .string("default"), what: "\"default\"")
        try r.expect("resnet_skip_time_act", equals: .bool(false), what: "false")
        try r.expect("time_embedding_type", equals: .string("positional"), what: "\"positional\"")
        try r.expect("attention_type", equals: .string("default"), what: "\"default\"")
        try r.expect("conv_in_kernel", equals: .number(3), what: "3")
        try r.expect("conv_out_kernel", equals: .number(3), what: "3")
        try r.expect("class_embeddings_concat", equals: .bool(false), what: "false")
        for key in ["reverse_transformer_layers_per_block", "encoder_hid_dim", "encoder_hid_dim_type", "class_embed_type", "num_class_embeds",
                    "time_embedding_dim", "time_embedding_act_fn", "timestep_post_act", "time_cond_proj_dim", "cross_attention_norm"] {
            try r.expect(key, equals: .null, what: "null")
        }
        r.ignore("addition_embed_type_num_heads")  // read only by the "text_image" types
        let addition = try r.optionalString("addition_embed_type", default: nil)
        switch addition {
        case nil:
            try r.expect("addition_time_embed_dim", equals: .null, what: "null without addition_embed_type")
            try r.expect("projection_class_embeddings_input_dim", equals: .null, what: "null without addition_embed_type")
        case "text_time":
            textTime = TextTime(timeEmbedding: try r.integer("addition_time_embed_dim", default: nil),
                                inputs: try r.integer("projection_class_embeddings_input_dim", default: nil))
        case let other?:
            throw r.unsupported("addition_embed_type", value: other, supported: ["text_time", "null"])
        }
    }

    private func validate(source: String) throws(DiffusersModelError) {
        let levels = blockOutChannels.count
        guard levels >= 1, blockOutChannels.allSatisfy({ $0 > 0 }) else { throw DiffusersModelError("\(source): block_out_channels must list positive channel counts") }
        guard downBlocks.count == levels, upBlocks.count == levels else {
            throw DiffusersModelError("\(source): \(levels) block_out_channels need as many down_block_types and up_block_types (found \(downBlocks.count) and \(upBlocks.count))")
        }
        guard groups > 0, blockOutChannels.allSatisfy({ $0 % groups == 0 }) else {
            throw DiffusersModelError("\(source): norm_num_groups \(groups) must divide every entry of block_out_channels \(blockOutChannels)")
        }
        for level in 0..<levels where heads[level] <= 0 || blockOutChannels[level] % heads[level] != 0 {
            throw DiffusersModelError("\(source): attention_head_dim (heads) \(heads[level]) does not divide level \(level)'s \(blockOutChannels[level]) channels")
        }
        guard layersPerBlock.allSatisfy({ $0 >= 1 }), transformerLayers.allSatisfy({ $0 >= 1 }), crossAttentionDim.allSatisfy({ $0 >= 1 }) else {
            throw DiffusersModelError("\(source): layers_per_block, transformer_layers_per_block and cross_attention_dim must be positive")
        }
        guard inChannels > 0, outChannels > 0, epsilon > 0 else { throw DiffusersModelError("\(source): in_channels, out_channels and norm_eps must be positive") }
        if let textTime, textTime.timeEmbedding <= 0 || textTime.timeEmbedding % 2 != 0 || textTime.inputs <= 6 * textTime.timeEmbedding {
            throw DiffusersModelError("\(source): text_time needs an even addition_time_embed_dim and projection_class_embeddings_input_dim above 6 × it (the pooled text width is the rest)")
        }
    }
}
