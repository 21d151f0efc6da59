import Foundation
import Neural
import Stochastic

/// diffusers' `UNet2DConditionModel` (the U-Net of Stable Diffusion 1.x/2.x and SDXL), built
/// from its config with diffusers' tensor names, so a `diffusion_pytorch_model.safetensors`
/// loads into it as it is:
///
/// - temb = linear_2(SiLU(linear_1(sinusoid(t)))), plus, for SDXL's `text_time`,
///   add_embedding(concat(pooled text, sinusoid(each of the six size/crop numbers)));
/// - conv_in; down blocks (ResNet + SpatialTransformer pairs, then a stride-2 conv), every
///   output kept as a skip; the mid block (ResNet, SpatialTransformer, ResNet);
/// - up blocks (concat the latest skip, ResNet, SpatialTransformer; nearest ×2 + conv);
/// - conv_out(SiLU(GN(h))).
///
/// Every ResNet reads SiLU(temb); every transformer cross-attends to the encoder states.
public final class DiffusersUNet {
    public let config: DiffusersUNetConfig
    let convIn: Conv2d
    let time: (first: Linear, second: Linear)
    let addition: (first: Linear, second: Linear)?
    let down: [DiffusersDownBlock]
    let mid: DiffusersMidBlock?
    let up: [DiffusersUpBlock]
    let outNorm: GroupNorm, convOut: Conv2d

    /// The model with PyTorch's default initialization from `stream` (weights are then
    /// usually loaded from a file: `load(folder:)`).
    public init(_ c: DiffusersUNetConfig, stream: inout RandomStream) {
        config = c
        let epsilon = Float(c.epsilon), levels = c.blockOutChannels.count
        convIn = Conv2d(name: "conv_in", inputs: c.inChannels, outputs: c.blockOutChannels[0], kernel: 3, stream: &stream)
        time = (Linear(name: "time_embedding.linear_1", inputs: c.blockOutChannels[0], outputs: c.timeDimensions, stream: &stream),
                Linear(name: "time_embedding.linear_2", inputs: c.timeDimensions, outputs: c.timeDimensions, stream: &stream))
        addition = c.textTime.map { textTime in
            (Linear(name: "add_embedding.linear_1", inputs: textTime.inputs, outputs: c.timeDimensions, stream: &stream),
             Linear(name: "add_embedding.linear_2", inputs: c.timeDimensions, outputs: c.timeDimensions, stream: &stream))
        }
        func resnet(_ name: String, _ inputs: Int, _ outputs: Int) -> ResNetBlock {
            ResNetBlock(name: name, inputs: inputs, outputs: outputs, timeDimensions: c.timeDimensions, groups: c.groups,
                        epsilon: epsilon, naming: .diffusers, stream: &stream)
        }
        func transformer(_ name: String, channels: Int, level: Int, layers: Int) -> SpatialTransformer {
            SpatialTransformer(name: name, channels: channels, contextChannels: c.crossAttentionDim[level], heads: c.heads[level],
                               groups: c.groups, layers: layers, linearProjection: c.linearProjection, epsilon: 1e-6,
                               naming: .diffusers, stream: &stream)
        }
        var down: [DiffusersDownBlock] = []
        var channels = c.blockOutChannels[0]
        for (level, kind) in c.downBlocks.enumerated() {
            let outputs = c.blockOutChannels[level], name = "down_blocks.\(level)"
            var resnets: [ResNetBlock] = [], attentions: [SpatialTransformer] = []
            for layer in 0..<c.layersPerBlock[level] {
                resnets.append(resnet("\(name).resnets.\(layer)", layer == 0 ? channels : outputs, outputs))
                if kind == .crossAttention {
                    attentions.append(transformer("\(name).attentions.\(layer)", channels: outputs, level: level, layers: c.transformerLayers[level]))
                }
            }
            let downsample = level == levels - 1 ? nil : Downsample(name: "\(name).downsamplers.0", channels: outputs, stream: &stream)
            down.append(DiffusersDownBlock(resnets: resnets, attentions: attentions, downsample: downsample))
            channels = outputs
        }
        self.down = down
        let last = levels - 1, bottom = c.blockOutChannels[last]
        mid = c.hasMidBlock
            ? DiffusersMidBlock(first: resnet("mid_block.resnets.0", bottom, bottom),
                                attention: transformer("mid_block.attentions.0", channels: bottom, level: last, layers: c.transformerLayers[last]),
                                second: resnet("mid_block.resnets.1", bottom, bottom))
            : nil
        // Up block i mirrors down level L − 1 − i: its skips come from that level (and, for
        // the last ResNet, from the level below's output or conv_in's).
        var up: [DiffusersUpBlock] = []
        var previous = bottom
        for (index, kind) in c.upBlocks.enumerated() {
            let level = last - index, outputs = c.blockOutChannels[level], name = "up_blocks.\(index)"
            let below = c.blockOutChannels[max(level - 1, 0)]
            let layers = c.layersPerBlock[level] + 1
            var resnets: [ResNetBlock] = [], attentions: [SpatialTransformer] = []
            for layer in 0..<layers {
                let skip = layer == layers - 1 ? below : outputs
                resnets.append(resnet("\(name).resnets.\(layer)", (layer == 0 ? previous : outputs) + skip, outputs))
                if kind == .crossAttention {
                    attentions.append(transformer("\(name).attentions.\(layer)", channels: outputs, level: level, layers: c.transformerLayers[level]))
                }
            }
            let upsample = index == last ? nil : Upsample(name: "\(name).upsamplers.0", channels: outputs, stream: &stream)
            up.append(DiffusersUpBlock(resnets: resnets, attentions: attentions, upsample: upsample))
            previous = outputs
        }
        self.up = up
        outNorm = GroupNorm(name: "conv_norm_out", channels: c.blockOutChannels[0], groups: c.groups, epsilon: epsilon)
        convOut = Conv2d(name: "conv_out", inputs: c.blockOutChannels[0], outputs: c.outChannels, kernel: 3, stream: &stream)
    }

    public var parameters: [Parameter] {
        convIn.parameters + time.first.parameters + time.second.parameters
            + (addition.map { $0.first.parameters + $0.second.parameters } ?? [])
            + down.flatMap(\.parameters) + (mid?.parameters ?? []) + up.flatMap(\.parameters)
            + outNorm.parameters + convOut.parameters
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// A model folder in diffusers' layout: `config.json` and
    /// `diffusion_pytorch_model.safetensors` (Float32), loaded for inference (no gradients).
    public static func load(folder: URL) throws(DiffusersModelError) -> DiffusersUNet {
        let config = try DiffusersUNetConfig(contentsOf: folder.appendingPathComponent("config.json"))
        let model = Parameter.$buildsForInference.withValue(true) {
            var stream = RandomStream(seed: 0)
            return DiffusersUNet(config, stream: &stream)
        }
        try DiffusersWeights.load(folder.appendingPathComponent("diffusion_pytorch_model.safetensors"), into: model.parameters)
        return model
    }

    /// The inputs of one forward pass, as diffusers names them.
    public struct Inputs {
        /// The noisy latents [B, in_channels, H, W].
        public var sample: Tensor
        /// One timestep per image (diffusers' `timestep`, possibly fractional).
        public var timesteps: [Float]
        /// The encoder states [B, M, cross_attention_dim] the transformers cross-attend to.
        public var encoderHiddenStates: Tensor
        /// SDXL: the pooled text embedding [B, P] and the six size/crop numbers [B, 6].
        public var textEmbeds: Tensor?
        public var timeIds: Tensor?

        public init(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor, textEmbeds: Tensor? = nil, timeIds: Tensor? = nil) {
            self.sample = sample
            self.timesteps = timesteps
            self.encoderHiddenStates = encoderHiddenStates
            self.textEmbeds = textEmbeds
            self.timeIds = timeIds
        }
    }

    /// Checks the inputs' shapes against the config: what was given and what is expected.
    public func validate(_ inputs: Inputs) throws(DiffusersModelError) {
        let s = inputs.sample.shape, e = inputs.encoderHiddenStates.shape, c = config
        let factor = 1 << (c.blockOutChannels.count - 1)
        guard s.count == 4, s[0] >= 1, s[1] == c.inChannels, s[2] > 0, s[3] > 0, s[2] % factor == 0, s[3] % factor == 0 else {
            throw DiffusersModelError("sample has shape \(s); expected [B, \(c.inChannels), H, W] with H and W multiples of \(factor)")
        }
        guard inputs.timesteps.count == s[0] else { throw DiffusersModelError("\(inputs.timesteps.count) timesteps for a batch of \(s[0]); expected one per image") }
        var widths = Set<Int>()
        for (level, kind) in c.downBlocks.enumerated() where kind == .crossAttention { widths.insert(c.crossAttentionDim[level]) }
        for (index, kind) in c.upBlocks.enumerated() where kind == .crossAttention { widths.insert(c.crossAttentionDim[c.crossAttentionDim.count - 1 - index]) }
        if c.hasMidBlock { widths.insert(c.crossAttentionDim[c.crossAttentionDim.count - 1]) }
        guard widths.count <= 1 else { throw DiffusersModelError("cross_attention_dim differs between levels (\(widths.sorted())): one encoder state width serves every level here") }
        guard e.count == 3, e[0] == s[0], e[1] >= 1, widths.isEmpty || e[2] == widths.first! else {
            throw DiffusersModelError("encoder_hidden_states has shape \(e); expected [\(s[0]), M, \(widths.first.map(String.init) ?? "D")]")
        }
        if let textTime = c.textTime {
            guard let text = inputs.textEmbeds, let ids = inputs.timeIds else {
                throw DiffusersModelError("this U-Net's addition_embed_type \"text_time\" needs text_embeds [B, \(textTime.inputs - 6 * textTime.timeEmbedding)] and time_ids [B, 6]")
            }
            guard text.shape == [s[0], textTime.inputs - 6 * textTime.timeEmbedding], ids.shape == [s[0], 6] else {
                throw DiffusersModelError("text_embeds \(text.shape) and time_ids \(ids.shape); expected [\(s[0]), \(textTime.inputs - 6 * textTime.timeEmbedding)] and [\(s[0]), 6]")
            }
        } else if inputs.textEmbeds != nil || inputs.timeIds != nil {
            throw DiffusersModelError("text_embeds and time_ids are read only by a U-Net with addition_embed_type \"text_time\"")
        }
    }

    /// ε (or whatever the model was trained to predict) for `inputs`, which must pass
    /// `validate`. `trace` receives each module's output under its diffusers name
    /// (`time_embedding`, `down_blocks.0.resnets.1`, `down_blocks.1.attentions.0.transformer_blocks.0`,
    /// `mid_block`, `up_blocks.2`, …).
    ///
    /// Inference only, and block by block: after the embeddings and after each down, mid and
    /// up block, the values still needed (the features, the skips, the embedding, the
    /// context) move to a fresh tape and the old one is released, so memory holds one block's
    /// intermediates at a time rather than the whole network's.
    public func callAsFunction(_ inputs: Inputs, trace: ((String, Tensor) -> Void)? = nil) -> Tensor {
        let c = config, batch = inputs.sample.shape[0]
        var tape = Tape()
        tape.isRecording = false
        func record(_ name: String, _ value: Variable) { trace?(name, tape.value(value)) }
        /// A transformer's blocks, traced as `NAME.transformer_blocks.k` (tokens [B, HW, C]).
        func blocks(_ name: String, batch: Int) -> ((Int, Variable) -> Void)? {
            guard let trace else { return nil }
            return { index, tokens in
                let value = tape.value(tokens)
                trace("\(name).transformer_blocks.\(index)", Tensor(shape: [batch, value.shape[0] / batch, value.shape[1]], values: value.values))
            }
        }
        /// The values `keep` on a fresh tape, the old one released.
        func carry(_ keep: [Variable]) -> [Variable] {
            let next = Tape()
            next.isRecording = false
            let moved = keep.map { next.constant(tape.value($0)) }
            tape = next
            return moved
        }
        let width = c.blockOutChannels[0]
        let sinusoid = tape.input(shape: [batch, width]) { target in
            for (row, t) in inputs.timesteps.enumerated() {
                let values = SinusoidalEmbedding.float32Row(t, dimensions: width, flipSinToCos: c.flipSinToCos, shift: c.freqShift)
                (target + row * width).update(from: values, count: width)
            }
        }
        var embedding = time.second(tape.silu(time.first(sinusoid, on: tape)), on: tape)
        record("time_embedding", embedding)
        if let addition, let textTime = c.textTime, let text = inputs.textEmbeds, let ids = inputs.timeIds {
            let pooled = text.shape[1], d = textTime.timeEmbedding
            let conditioning = tape.input(shape: [batch, textTime.inputs]) { target in
                for row in 0..<batch {
                    let line = target + row * textTime.inputs
                    line.update(from: text.pointer + row * pooled, count: pooled)
                    for k in 0..<6 {
                        let values = SinusoidalEmbedding.float32Row(ids[row * 6 + k], dimensions: d, flipSinToCos: c.flipSinToCos, shift: c.freqShift)
                        (line + pooled + k * d).update(from: values, count: d)
                    }
                }
            }
            let added = addition.second(tape.silu(addition.first(conditioning, on: tape)), on: tape)
            record("add_embedding", added)
            embedding = tape.add(embedding, added)
        }
        var activatedTime = tape.silu(embedding)
        var context = tape.input(shape: [batch * inputs.encoderHiddenStates.shape[1], inputs.encoderHiddenStates.shape[2]]) { target in
            target.update(from: inputs.encoderHiddenStates.pointer, count: inputs.encoderHiddenStates.count)
        }
        var sample = inputs.sample
        if c.centerInputSample {
            sample = Tensor(shape: sample.shape, values: sample.values.map { 2 * $0 - 1 })
        }
        var h = convIn(tape.constant(sample), on: tape)
        record("conv_in", h)
        var skips = [h]
        /// Moves h, the skips, the embedding and the context to a fresh tape.
        func nextBlock() {
            let moved = carry([h, activatedTime, context] + skips)
            (h, activatedTime, context) = (moved[0], moved[1], moved[2])
            skips = Array(moved[3...])
        }
        nextBlock()
        for (level, block) in down.enumerated() {
            for (layer, resnet) in block.resnets.enumerated() {
                h = resnet(h, activatedTime: activatedTime, on: tape)
                record("down_blocks.\(level).resnets.\(layer)", h)
                if !block.attentions.isEmpty {
                    h = block.attentions[layer](h, context: context, on: tape, trace: blocks("down_blocks.\(level).attentions.\(layer)", batch: batch))
                    record("down_blocks.\(level).attentions.\(layer)", h)
                }
                skips.append(h)
            }
            if let downsample = block.downsample {
                h = downsample(h, on: tape)
                record("down_blocks.\(level).downsamplers.0", h)
                skips.append(h)
            }
            record("down_blocks.\(level)", h)
            nextBlock()
        }
        if let mid {
            h = mid.second(mid.attention(mid.first(h, activatedTime: activatedTime, on: tape), context: context, on: tape,
                                         trace: blocks("mid_block.attentions.0", batch: batch)),
                           activatedTime: activatedTime, on: tape)
            record("mid_block", h)
            nextBlock()
        }
        for (index, block) in up.enumerated() {
            for (layer, resnet) in block.resnets.enumerated() {
                h = resnet(tape.concatChannels([h, skips.removeLast()]), activatedTime: activatedTime, on: tape)
                record("up_blocks.\(index).resnets.\(layer)", h)
                if !block.attentions.isEmpty {
                    h = block.attentions[layer](h, context: context, on: tape, trace: blocks("up_blocks.\(index).attentions.\(layer)", batch: batch))
                    record("up_blocks.\(index).attentions.\(layer)", h)
                }
            }
            if let upsample = block.upsample {
                h = upsample(h, on: tape)
                record("up_blocks.\(index).upsamplers.0", h)
            }
            record("up_blocks.\(index)", h)
            nextBlock()
        }
        let output = convOut(tape.silu(outNorm(h, on: tape)), on: tape)
        record("conv_out", output)
        return tape.value(output)
    }
}
