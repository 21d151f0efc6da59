import Foundation

extension DiffusersUNetConfig {
    /// The config as diffusers' `UNet2DConditionModel.save_pretrained` would write it: every
    /// key this reader builds, a per-level value as one number when every level has it (as the
    /// published configs write it) and as a list otherwise, and `sample_size` (the latent side
    /// diffusers' pipelines default to). Reading it back gives the same config.
    public func json(sampleSize: Int) -> Data {
        func perLevel(_ values: [Int]) -> Any { Set(values).count == 1 ? values[0] : values }
        var object: [String: Any] = [
            "_class_name": "UNet2DConditionModel",
            "in_channels": inChannels,
            "out_channels": outChannels,
            "center_input_sample": centerInputSample,
            "flip_sin_to_cos": flipSinToCos,
            "freq_shift": freqShift == freqShift.rounded() ? Int(freqShift) as Any : freqShift,
            "down_block_types": downBlocks.map(\.rawValue),
            "mid_block_type": hasMidBlock ? "UNetMidBlock2DCrossAttn" as Any : NSNull(),
            "up_block_types": upBlocks.map(\.rawValue),
            "block_out_channels": blockOutChannels,
            "layers_per_block": perLevel(layersPerBlock),
            "norm_num_groups": groups,
            "norm_eps": epsilon,
            "cross_attention_dim": perLevel(crossAttentionDim),
            "transformer_layers_per_block": perLevel(transformerLayers),
            "attention_head_dim": perLevel(heads),
            "use_linear_projection": linearProjection,
            "sample_size": sampleSize,
        ]
        if let textTime {
            object["addition_embed_type"] = "text_time"
            object["addition_time_embed_dim"] = textTime.timeEmbedding
            object["projection_class_embeddings_input_dim"] = textTime.inputs
        }
        // Plain values only: serialization cannot fail.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}
