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
        guard let document = try? JSONDecoder().decode(ConfigValue.self, from: data), case .object(let dictionary) = document else {
            throw DiffusersModelError("\(source) is not a JSON object")
        }
        var reader = ConfigReader(values: dictionary, source: source)
        try self.init(reading: &reader)
        try reader.finish()
        try validate(source: source)
    }

    private init(reading r: inout ConfigReader) throws(DiffusersModelError) {
        let className = try r.string("_class_name", default: "UNet2DConditionModel")
        guard className == "UNet2DConditionModel" else {
            throw DiffusersModelError("\(r.source): _class_name is \"\(className)\"; this reader builds UNet2DConditionModel")
        }
        for key in ["_diffusers_version", "_name_or_path", "sample_size", "dropout", "upcast_attention"] { r.ignore(key) }
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

/// A JSON value of a config file (booleans kept apart from numbers).
private enum ConfigValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([ConfigValue]), object([String: ConfigValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let list = try? container.decode([ConfigValue].self) { self = .array(list) }
        else { self = .object(try container.decode([String: ConfigValue].self)) }
    }

    /// JSON-like text for messages.
    var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): "\"\(text)\""
        case .array(let items): "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let entries): "{" + entries.keys.sorted().map { "\"\($0)\": \(entries[$0]!.rendered)" }.joined(separator: ", ") + "}"
        }
    }
}

/// The keys of a config.json, consumed one by one so that what is left over is reported.
private struct ConfigReader {
    var values: [String: ConfigValue]
    let source: String

    /// The value of `key`, removed from those left to read; nil when absent or null.
    mutating func take(_ key: String) -> ConfigValue? {
        guard let value = values.removeValue(forKey: key), value != .null else { return nil }
        return value
    }

    mutating func ignore(_ key: String) { values.removeValue(forKey: key) }

    func unsupported(_ key: String, value: String, supported: [String]) -> DiffusersModelError {
        DiffusersModelError("\(source): \(key) \"\(value)\" is not supported; supported: \(supported.joined(separator: ", "))")
    }

    func wrongType(_ key: String, _ value: ConfigValue, _ expected: String) -> DiffusersModelError {
        DiffusersModelError("\(source): \(key) is \(value.rendered); expected \(expected)")
    }

    mutating func number(_ key: String, default fallback: Double) throws(DiffusersModelError) -> Double {
        guard let value = take(key) else { return fallback }
        guard case .number(let number) = value else { throw wrongType(key, value, "a number") }
        return number
    }

    mutating func integer(_ key: String, default fallback: Int?) throws(DiffusersModelError) -> Int {
        guard let value = take(key) else {
            guard let fallback else { throw DiffusersModelError("\(source): \(key) is missing") }
            return fallback
        }
        return try integer(value, key: key)
    }

    func integer(_ value: ConfigValue, key: String) throws(DiffusersModelError) -> Int {
        guard case .number(let number) = value, let integer = Int(exactly: number) else { throw wrongType(key, value, "an integer") }
        return integer
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(DiffusersModelError) -> Bool {
        guard let value = take(key) else { return fallback }
        guard case .bool(let flag) = value else { throw wrongType(key, value, "true or false") }
        return flag
    }

    mutating func string(_ key: String, default fallback: String) throws(DiffusersModelError) -> String {
        try optionalString(key, default: fallback) ?? fallback
    }

    /// nil when the key is null (or absent with a nil default).
    mutating func optionalString(_ key: String, default fallback: String?) throws(DiffusersModelError) -> String? {
        guard values[key] != nil else { return fallback }
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, value, "a string") }
        return text
    }

    mutating func strings(_ key: String, default fallback: [String]) throws(DiffusersModelError) -> [String] {
        guard let value = take(key) else { return fallback }
        guard case .array(let items) = value else { throw wrongType(key, value, "a list of strings") }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw wrongType(key, value, "a list of strings") }
            texts.append(text)
        }
        return texts
    }

    mutating func integers(_ key: String, default fallback: [Int]) throws(DiffusersModelError) -> [Int] {
        guard let value = take(key) else { return fallback }
        guard case .array(let items) = value else { throw wrongType(key, value, "a list of integers") }
        var result: [Int] = []
        for item in items { result.append(try integer(item, key: key)) }
        return result
    }

    /// One integer for every level, or a list with one per level.
    mutating func perLevel(_ key: String, default fallback: Int, levels: Int) throws(DiffusersModelError) -> [Int] {
        guard let value = take(key) else { return Array(repeating: fallback, count: levels) }
        guard case .array(let items) = value else { return Array(repeating: try integer(value, key: key), count: levels) }
        var result: [Int] = []
        for item in items {
            guard case .number = item else { throw wrongType(key, value, "an integer or a list of \(levels) integers (nested lists are not supported)") }
            result.append(try integer(item, key: key))
        }
        guard result.count == levels else { throw wrongType(key, value, "an integer or a list of \(levels) integers, one per level") }
        return result
    }

    /// The key is absent, or holds the one value this reader supports.
    mutating func expect(_ key: String, equals expected: ConfigValue, what: String) throws(DiffusersModelError) {
        guard let value = values.removeValue(forKey: key) else { return }
        guard value == expected else {
            throw DiffusersModelError("\(source): \(key) \(value.rendered) is not supported; supported: \(what)")
        }
    }

    /// Every key was read: an unknown one is an error naming it.
    func finish() throws(DiffusersModelError) {
        guard let key = values.keys.sorted().first else { return }
        throw DiffusersModelError("\(source): unknown config key \"\(key)\" (value \(values[key]!.rendered)); this reader knows the keys of diffusers' UNet2DConditionModel")
    }
}
