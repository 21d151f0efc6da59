import Neural
import Stochastic

/// The project's `UNet` written as diffusers' `UNet2DConditionModel`, so the committed model
/// runs in diffusers' pipelines.
///
/// The project's U-Net keeps one skip per level (after the level's ResNet and transformer)
/// and reads one back per level on the way up; diffusers' keeps conv_in's output and the
/// downsample's as well, and its up blocks have one more ResNet (and transformer) that reads
/// them. With `layers_per_block` 1 and no mid block the two layouts differ only in those extra
/// up-path modules, and each can be made an exact identity:
///
/// - a ResNet block computes skip(x) + conv2(…): with conv2 = 0 and the 1×1 shortcut
///   [I 0] (keep the running features, drop the extra skip) it returns h itself;
/// - a Transformer2DModel computes x + proj_out(…): with proj_out = 0 it returns x itself.
///
/// The project's attention projections also have biases, diffusers' q, k and v none; the
/// biases fold into other weights without changing the function:
///
/// - a key bias adds q·b_k to every score of a query alike, and softmax ignores a constant
///   shift: it is dropped;
/// - a value bias adds b_v to every attention output (each row of softmax sums to 1), so it
///   moves into the output projection's bias: b_o + b_v·W_o;
/// - a query bias is moved into the LayerNorm before the attention: β + δ with δ·W_q = b_q
///   gives the same queries; in self-attention the same shift reaches the keys (a constant,
///   ignored) and the values, which become v − b_v + δ·W_v: b_o + (b_v − δ·W_v)·W_o restores
///   the output.
///
/// Every other weight is the project's, module for module. What is not exact is where
/// diffusers fixes a constant the project chose differently: the transformers' GroupNorm ε
/// (10⁻⁶ in diffusers' Transformer2DModel, 10⁻⁵ in the project's blocks), which changes
/// 1/√(σ² + ε) by about (10⁻⁵ − 10⁻⁶)/(2σ²) relative, and the timestep sinusoid, which
/// diffusers forms in Float32 (the project's table is computed in Double).
extension DiffusersUNet {
    /// The diffusers config of a project U-Net of shape `c`.
    public static func config(holding c: UNetConfiguration) throws(DiffusersModelError) -> DiffusersUNetConfig {
        guard c.attention == .spatialTransformer else {
            throw DiffusersModelError("the U-Net's attention block is the benchmark's compact block; only the SpatialTransformer U-Net is a UNet2DConditionModel")
        }
        guard c.timeEmbedding == c.channels[0], c.timeDimensions == 4 * c.channels[0] else {
            throw DiffusersModelError("a UNet2DConditionModel embeds t in \(c.channels[0]) sinusoid dimensions and \(4 * c.channels[0]) features; this U-Net uses \(c.timeEmbedding) and \(c.timeDimensions)")
        }
        let levels = c.channels.count
        var d = DiffusersUNetConfig()
        d.inChannels = c.latentChannels
        d.outChannels = c.latentChannels
        d.flipSinToCos = false
        d.freqShift = 0
        d.downBlocks = Array(repeating: .crossAttention, count: levels)
        d.upBlocks = Array(repeating: .crossAttention, count: levels)
        d.hasMidBlock = false
        d.blockOutChannels = c.channels
        d.layersPerBlock = Array(repeating: 1, count: levels)
        d.groups = c.groups
        d.epsilon = 1e-5
        d.crossAttentionDim = Array(repeating: c.contextChannels, count: levels)
        d.transformerLayers = Array(repeating: 1, count: levels)
        d.heads = Array(repeating: c.heads, count: levels)
        d.linearProjection = false
        return d
    }

    /// The diffusers model computing what `unet` computes (see the type's comment for the two
    /// constants that differ).
    public static func converting(_ unet: UNet) throws(DiffusersModelError) -> DiffusersUNet {
        let config = try config(holding: unet.configuration)
        let model = Parameter.$buildsForInference.withValue(true) {
            var stream = RandomStream(seed: 0)
            return DiffusersUNet(config, stream: &stream)
        }
        try copy(unet.input.parameters, to: model.convIn.parameters)
        try copy(unet.time1.parameters + unet.time2.parameters, to: model.time.first.parameters + model.time.second.parameters)
        for (level, block) in unet.down.enumerated() {
            try copy(block.res.parameters, to: model.down[level].resnets[0].parameters)
            try fold(transformer(block.attention), into: model.down[level].attentions[0])
            if let downsample = model.down[level].downsample { try copy(unet.downsamples[level].parameters, to: downsample.parameters) }
        }
        for (index, block) in unet.up.enumerated() {
            let target = model.up[index]
            try copy(block.res.parameters, to: target.resnets[0].parameters)
            try fold(transformer(block.attention), into: target.attentions[0])
            // The extra ResNet: the residual branch stays zero; the shortcut keeps h, drops the skip.
            guard let shortcut = target.resnets[1].skip else { throw DiffusersModelError("up_blocks.\(index).resnets.1 has no shortcut to pass the features through") }
            let (outputs, inputs) = (shortcut.weight.value.shape[0], shortcut.weight.value.shape[1])
            for channel in 0..<outputs { shortcut.weight.value.pointer[channel * inputs + channel] = 1 }
            if let upsample = target.upsample { try copy(unet.upsamples[index].parameters, to: upsample.parameters) }
        }
        try copy(unet.outNorm.parameters + unet.output.parameters, to: model.outNorm.parameters + model.convOut.parameters)
        return model
    }

    private static func transformer(_ block: UNet.AttentionBlock) throws(DiffusersModelError) -> SpatialTransformer {
        guard case .spatial(let transformer) = block else { throw DiffusersModelError("only SpatialTransformer attention blocks convert") }
        return transformer
    }

    /// A project SpatialTransformer into a diffusers one, the attention biases folded.
    private static func fold(_ source: SpatialTransformer, into target: SpatialTransformer) throws(DiffusersModelError) {
        try copy(source.norm.parameters + source.projectIn.parameters + source.projectOut.parameters,
                 to: target.norm.parameters + target.projectIn.parameters + target.projectOut.parameters)
        guard source.blocks.count == target.blocks.count else { throw DiffusersModelError("\(source.blocks.count) transformer blocks for \(target.blocks.count)") }
        for (from, to) in zip(source.blocks, target.blocks) {
            try fold(from.selfAttention, after: from.norm1, into: to.selfAttention, after: to.norm1, selfAttention: true)
            if let cross = from.cross, let crossTarget = to.cross {
                try fold(cross.attention, after: cross.norm, into: crossTarget.attention, after: crossTarget.norm, selfAttention: false)
            }
            try copy(from.norm3.parameters + from.feedForward.parameters, to: to.norm3.parameters + to.feedForward.parameters)
        }
    }

    /// One attention and the LayerNorm before it, its q/k/v biases folded (see the type's comment).
    private static func fold(
        _ source: MultiHeadAttention, after sourceNorm: LayerNorm, into target: MultiHeadAttention, after targetNorm: LayerNorm, selfAttention: Bool
    ) throws(DiffusersModelError) {
        try copy([sourceNorm.gamma, source.query.weight, source.key.weight, source.value.weight, source.output.weight],
                 to: [targetNorm.gamma, target.query.weight, target.key.weight, target.value.weight, target.output.weight])
        guard let outputBias = target.output.bias, let sourceOutputBias = source.output.bias else { throw DiffusersModelError("an attention output without its bias") }
        let zero = { (n: Int) in [Double](repeating: 0, count: n) }
        let channels = source.query.weight.value.shape[0]
        let queryBias = source.query.bias.map { $0.value.values.map(Double.init) } ?? zero(channels)
        let delta = try solveRow(queryBias, times: source.query.weight.value)
        var valueShift = source.value.bias.map { $0.value.values.map(Double.init) } ?? zero(source.value.weight.value.shape[1])
        if selfAttention { valueShift = zip(valueShift, rowTimes(delta, source.value.weight.value)).map(-) }
        let beta = sourceNorm.beta.value.values
        targetNorm.beta.value.copy(from: Tensor(shape: [beta.count], values: zip(beta, delta).map { Float(Double($0) + $1) }))
        let bias = zip(sourceOutputBias.value.values, rowTimes(valueShift, source.output.weight.value)).map { Float(Double($0) + $1) }
        outputBias.value.copy(from: Tensor(shape: [bias.count], values: bias))
    }

    /// x·W for a row x and W [in, out] (a `Linear` weight), in Double.
    private static func rowTimes(_ x: [Double], _ w: Tensor) -> [Double] {
        let (inputs, outputs) = (w.shape[0], w.shape[1])
        var y = [Double](repeating: 0, count: outputs)
        for i in 0..<inputs where x[i] != 0 { for j in 0..<outputs { y[j] += x[i] * Double(w.pointer[i * outputs + j]) } }
        return y
    }

    /// The row δ with δ·W = b for a square W [C, C] (Gaussian elimination with partial
    /// pivoting in Double on Wᵀ·δᵀ = bᵀ).
    private static func solveRow(_ b: [Double], times w: Tensor) throws(DiffusersModelError) -> [Double] {
        let n = w.shape[0]
        guard w.shape == [n, n], b.count == n else { throw DiffusersModelError("a query projection \(w.shape) is not square: its bias cannot move into the LayerNorm") }
        var a = [Double](repeating: 0, count: n * n), rhs = b
        for row in 0..<n { for column in 0..<n { a[row * n + column] = Double(w.pointer[column * n + row]) } }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0 * n + column]) < abs(a[$1 * n + column]) } ?? column
            guard abs(a[pivot * n + column]) > 1e-12 else { throw DiffusersModelError("a query projection is singular: its bias cannot move into the LayerNorm") }
            if pivot != column {
                for k in 0..<n { a.swapAt(pivot * n + k, column * n + k) }
                rhs.swapAt(pivot, column)
            }
            for row in (column + 1)..<n {
                let factor = a[row * n + column] / a[column * n + column]
                guard factor != 0 else { continue }
                for k in column..<n { a[row * n + k] -= factor * a[column * n + k] }
                rhs[row] -= factor * rhs[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = rhs[row]
            for k in (row + 1)..<n { sum -= a[row * n + k] * x[k] }
            x[row] = sum / a[row * n + row]
        }
        return x
    }

    /// Values of `source` into `target`, parameter by parameter (the same modules in the same
    /// order, so the same shapes).
    private static func copy(_ source: [Parameter], to target: [Parameter]) throws(DiffusersModelError) {
        guard source.count == target.count else { throw DiffusersModelError("\(source.count) parameters for \(target.count) in the diffusers layout") }
        for (from, to) in zip(source, target) {
            guard from.value.shape == to.value.shape else {
                throw DiffusersModelError("\(from.name) \(from.value.shape) does not fit \(to.name) \(to.value.shape)")
            }
            to.value.copy(from: from.value)
        }
    }
}
