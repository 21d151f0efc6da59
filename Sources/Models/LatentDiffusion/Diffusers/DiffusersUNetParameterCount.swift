extension DiffusersUNetConfig {
    /// How many parameters the U-Net of this config has, by module kind.
    public struct ParameterCount: Sendable, Equatable {
        public var total = 0
        /// In the BasicTransformerBlocks (self-attention, cross-attention, GEGLU feed-forward).
        public var transformerBlocks = 0
        /// How many BasicTransformerBlocks there are.
        public var transformerBlockCount = 0
        /// In the ResNet blocks.
        public var resnets = 0
        /// How many times the down path halves the resolution.
        public var downsamplings = 0
    }

    /// The count in closed form, module by module in the order `DiffusersUNet` builds them
    /// (and checked against the built model's parameters): a Linear(i, o) has i·o (+ o)
    /// weights, a k×k Conv(i, o) i·o·k² + o, a norm 2c; a ResNet (GN, conv, time Linear, GN,
    /// conv, a 1×1 shortcut when the width changes); a BasicTransformerBlock of width c with a
    /// context of width d: three LayerNorms, q/k/v without bias (c², c², c² for itself;
    /// c², d·c, d·c for the context), two output projections with bias, and GEGLU's c → 8c
    /// and 4c → c. No weight is allocated, so Stable Diffusion's and SDXL's U-Nets (0.86 to
    /// 2.6 billion) are counted in a moment.
    public var parameterCount: ParameterCount {
        var count = ParameterCount()
        let temb = timeDimensions, levels = blockOutChannels.count, last = levels - 1
        func linear(_ i: Int, _ o: Int, bias: Bool = true) -> Int { i * o + (bias ? o : 0) }
        func conv(_ i: Int, _ o: Int, _ k: Int) -> Int { i * o * k * k + o }
        func norm(_ c: Int) -> Int { 2 * c }
        func resnet(_ i: Int, _ o: Int) -> Int {
            let n = norm(i) + conv(i, o, 3) + linear(temb, o) + norm(o) + conv(o, o, 3) + (i == o ? 0 : conv(i, o, 1))
            count.resnets += n
            return n
        }
        func transformer(_ c: Int, level: Int) -> Int {
            let d = crossAttentionDim[level], layers = transformerLayers[level]
            let block = 3 * norm(c) + 3 * linear(c, c, bias: false) + linear(c, c)
                + linear(c, c, bias: false) + 2 * linear(d, c, bias: false) + linear(c, c)
                + linear(c, 8 * c) + linear(4 * c, c)
            count.transformerBlocks += layers * block
            count.transformerBlockCount += layers
            return norm(c) + 2 * linear(c, c) + layers * block
        }
        var total = conv(inChannels, blockOutChannels[0], 3) + linear(blockOutChannels[0], temb) + linear(temb, temb)
        if let textTime { total += linear(textTime.inputs, temb) + linear(temb, temb) }
        var channels = blockOutChannels[0]
        for (level, kind) in downBlocks.enumerated() {
            let outputs = blockOutChannels[level]
            for layer in 0..<layersPerBlock[level] {
                total += resnet(layer == 0 ? channels : outputs, outputs)
                if kind == .crossAttention { total += transformer(outputs, level: level) }
            }
            if level != last {
                total += conv(outputs, outputs, 3)
                count.downsamplings += 1
            }
            channels = outputs
        }
        let bottom = blockOutChannels[last]
        if hasMidBlock { total += resnet(bottom, bottom) + transformer(bottom, level: last) + resnet(bottom, bottom) }
        var previous = bottom
        for (index, kind) in upBlocks.enumerated() {
            let level = last - index, outputs = blockOutChannels[level], below = blockOutChannels[max(level - 1, 0)]
            let layers = layersPerBlock[level] + 1
            for layer in 0..<layers {
                total += resnet((layer == 0 ? previous : outputs) + (layer == layers - 1 ? below : outputs), outputs)
                if kind == .crossAttention { total += transformer(outputs, level: level) }
            }
            if index != last { total += conv(outputs, outputs, 3) }
            previous = outputs
        }
        count.total = total + norm(blockOutChannels[0]) + conv(blockOutChannels[0], outChannels, 3)
        return count
    }
}
