import CheckCore
import LatentDiffusion

/// 002 (the SDXL introduction and the refiner): the SD 1.x U-Net has 860 M parameters, SD 2.x
/// 865 M, the SDXL base 2.6 B, about three times more; the refiner 2.3 B. True: the published
/// architectures, counted module by module (`DiffusersUNetConfig.parameterCount`, the count of
/// the U-Net `lessons forward` builds), give 859.5 M, 865.9 M, 2.567 B (2.99×) and 2.260 B.
let unetParameterCountCheck = CheckDefinition(
    id: "notes.unet-param-counts",
    title: "U-Net sizes: SD 1.x 859.5 M, SD 2.x 865.9 M, SDXL base 2.567 B (2.99×), refiner 2.260 B, counted from the published architectures",
    parameters: [],
    mutations: [Mutation("attention-everywhere", "SD 1.x with a transformer at its fourth (8×8) level too"),
                Mutation("context-768", "SDXL's cross-attention reading a 768-wide context instead of 2048")],
    verdict: .true,
    sources: [Note.n002.at("743"), Note.n002.at("881–883")]
) { context in
    var sd1 = PublishedUNets.sd1, base = PublishedUNets.sdxlBase
    if context.mutated("attention-everywhere") {
        sd1.downBlocks = Array(repeating: .crossAttention, count: 4)
        sd1.upBlocks = Array(repeating: .crossAttention, count: 4)
    }
    if context.mutated("context-768") { base.crossAttentionDim = [768, 768, 768] }
    let million = 1e6, billion = 1e9
    let counts = (sd1: Double(sd1.parameterCount.total), sd2: Double(PublishedUNets.sd2.parameterCount.total),
                  base: Double(base.parameterCount.total), refiner: Double(PublishedUNets.sdxlRefiner.parameterCount.total))
    return [
        statedFigureRow("SD 1.x U-Net (millions)", computed: counts.sd1 / million, stated: 860, within: 1),
        statedFigureRow("SD 2.x U-Net (millions)", computed: counts.sd2 / million, stated: 865, within: 1),
        statedFigureRow("SDXL base U-Net (billions)", computed: counts.base / billion, stated: 2.6, within: 0.1),
        statedFigureRow("SDXL base / SD 1.x", computed: counts.base / counts.sd1, stated: 3, within: 0.5),
        statedFigureRow("SDXL refiner U-Net (billions)", computed: counts.refiner / billion, stated: 2.3, within: 0.1),
    ]
}

/// 002 (SDXL's U-Net, summary): the encoder and decoder go from 4 stages to 3, transformer
/// depths [1,1,1,1] → [0,2,10], and SDXL downsamples twice where SD downsamples three times.
/// Qualified: the downsampling is right (SD 64 → 8, SDXL 128 → 32) and SDXL's depths are
/// [0,2,10], but SD 1.x has no transformer at its fourth level (a DownBlock2D): its depths are
/// [1,1,1,0], 16 BasicTransformerBlocks, where [1,1,1,1] would make 21.
let sdxlStagesCheck = CheckDefinition(
    id: "notes.sdxl-downsampling",
    title: "SDXL halves the latent twice (128 → 32), SD three times (64 → 8); SDXL's depths are [0,2,10], but SD 1.x's are [1,1,1,0], not [1,1,1,1]",
    parameters: [],
    mutations: [Mutation("four-stages", "SDXL with a fourth level (three downsamplings, as SD)"),
                Mutation("literal-depths", "SD 1.x built with the notes' [1,1,1,1]")],
    verdict: .qualified,
    sources: [Note.n002.at("833"), Note.n002.at("836")]
) { context in
    var sd1 = PublishedUNets.sd1, base = PublishedUNets.sdxlBase
    if context.mutated("four-stages") {
        base.blockOutChannels.append(1280)
        base.downBlocks.append(.plain)
        base.upBlocks.insert(.plain, at: 0)
        for key in [\DiffusersUNetConfig.layersPerBlock, \.transformerLayers, \.crossAttentionDim, \.heads] { base[keyPath: key].append(base[keyPath: key].last ?? 1) }
    }
    var literal = sd1
    literal.downBlocks = Array(repeating: .crossAttention, count: 4)
    literal.upBlocks = Array(repeating: .crossAttention, count: 4)
    if context.mutated("literal-depths") { sd1 = literal }
    let sdDown = sd1.parameterCount.downsamplings, xlDown = base.parameterCount.downsamplings
    let depths = zip(base.downBlocks, base.transformerLayers).map { $0 == .plain ? 0 : $1 }
    let published = sd1.parameterCount.transformerBlockCount, stated = literal.parameterCount.transformerBlockCount
    return [
        .holds("SD 1.x downsamplings (64 → \(64 >> sdDown))", value: Double(sdDown), rule: "= 3", pass: sdDown == 3),
        .holds("SDXL downsamplings (128 → \(128 >> xlDown))", value: Double(xlDown), rule: "= 2", pass: xlDown == 2),
        .holds("SDXL transformer depths per level \(depths)", value: Double(depths.reduce(0, +)), rule: "= [0, 2, 10] as stated", pass: depths == [0, 2, 10]),
        .holds("SD 1.x BasicTransformerBlocks: the notes' [1,1,1,1] (\(stated)) − the published model (\(published))", value: Double(stated - published),
               rule: "> 0: SD 1.x's depths are [1,1,1,0]", pass: stated > published),
    ]
}

/// 002 (SDXL's U-Net, summary): the added spatial-transformer modules account for most of the
/// added parameters. True: SDXL's BasicTransformerBlocks hold 85 % of its 2.567 B, and they
/// grew by 1.943 B while the whole U-Net grew by 1.708 B; the rest shrank (the 8×8 level and
/// its 1280-wide ResNets are gone).
let transformerShareCheck = CheckDefinition(
    id: "notes.transformer-param-share",
    title: "SDXL's transformer blocks hold 85 % of its U-Net and grew by more (1.94 B) than the whole U-Net did (1.71 B)",
    parameters: [],
    mutations: [Mutation("resnets", "the growth attributed to the ResNet blocks")],
    verdict: .true,
    sources: [Note.n002.at("832")]
) { context in
    let sd1 = PublishedUNets.sd1.parameterCount, base = PublishedUNets.sdxlBase.parameterCount
    let part = context.mutated("resnets") ? (sd1.resnets, base.resnets) : (sd1.transformerBlocks, base.transformerBlocks)
    let share = Double(part.1) / Double(base.total)
    let growth = Double(part.1 - part.0), totalGrowth = Double(base.total - sd1.total)
    return [
        .holds("share of SDXL's U-Net", value: share, rule: "> 0.5: most", pass: share > 0.5),
        .holds("their growth / the U-Net's growth (\(shortNumber(growth / 1e9)) B of \(shortNumber(totalGrowth / 1e9)) B)", value: growth / totalGrowth,
               rule: "> 0.5: most of the added parameters", pass: growth / totalGrowth > 0.5),
    ]
}
