import LatentDiffusion
import Neural
import Stochastic
import Testing

@Suite("A U-Net's parameter count in closed form equals the built model's, module kind by module kind")
struct ParameterCountTests {
    func built(_ config: DiffusersUNetConfig) -> [Parameter] {
        Parameter.$buildsForInference.withValue(true) {
            var stream = RandomStream(seed: 0)
            return DiffusersUNet(config, stream: &stream).parameters
        }
    }

    static var configs: [DiffusersUNetConfig] {
        var sdxlLike = DiffusersUNetConfig()
        sdxlLike.blockOutChannels = [32, 64, 64]
        sdxlLike.downBlocks = [.plain, .crossAttention, .crossAttention]
        sdxlLike.upBlocks = [.crossAttention, .crossAttention, .plain]
        sdxlLike.layersPerBlock = [1, 2, 1]
        sdxlLike.transformerLayers = [1, 2, 3]
        sdxlLike.crossAttentionDim = [48, 48, 48]
        sdxlLike.heads = [2, 4, 4]
        sdxlLike.groups = 8
        sdxlLike.linearProjection = true
        sdxlLike.textTime = .init(timeEmbedding: 8, inputs: 40)
        var fourLevels = DiffusersUNetConfig()
        fourLevels.blockOutChannels = [16, 32, 32, 48]
        fourLevels.groups = 8
        fourLevels.crossAttentionDim = [24, 24, 24, 24]
        fourLevels.heads = [2, 2, 2, 2]
        fourLevels.inChannels = 3
        fourLevels.outChannels = 5
        return [sdxlLike, fourLevels, (try? DiffusersUNet.config(holding: .fashion)) ?? DiffusersUNetConfig()]
    }

    @Test("total, transformer-block and ResNet parameters, block count and downsamplings", arguments: configs)
    func matchesTheBuiltModel(_ config: DiffusersUNetConfig) {
        let parameters = built(config), count = config.parameterCount
        func sum(_ keep: (String) -> Bool) -> Int { parameters.filter { keep($0.name) }.reduce(0) { $0 + $1.value.count } }
        #expect(!parameters.isEmpty)
        #expect(count.total == sum { _ in true })
        #expect(count.transformerBlocks == sum { $0.contains(".transformer_blocks.") })
        #expect(count.resnets == sum { $0.contains(".resnets.") })
        let blocks = Set(parameters.compactMap { parameter -> String? in
            guard let range = parameter.name.range(of: ".transformer_blocks.") else { return nil }
            return String(parameter.name[..<range.upperBound]) + (parameter.name[range.upperBound...].split(separator: ".").first ?? "")
        })
        #expect(count.transformerBlockCount == blocks.count && blocks.count > 0)
        #expect(count.downsamplings == Set(parameters.filter { $0.name.contains(".downsamplers.") }.map { $0.name.split(separator: ".")[1] }).count)
    }

    @Test("Stable Diffusion 1.x's published U-Net: 859,520,964 parameters, diffusers' own count (python -m diffusers_parity run sd15)")
    func stableDiffusion() {
        var sd1 = DiffusersUNetConfig()
        sd1.crossAttentionDim = [768, 768, 768, 768]
        #expect(sd1.parameterCount.total == 859_520_964 && sd1.parameterCount.transformerBlockCount == 16)
    }
}
