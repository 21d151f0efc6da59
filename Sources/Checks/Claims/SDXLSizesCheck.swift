import CheckCore

/// 002 (SDXL's architecture): in FP16 the base model is 6.94 GB (FP32 13.88 GB): U-Net 5.14 GB,
/// VAE 167 MB, the two text encoders 1.39 GB and 246 MB; the refiner 6.08 GB: U-Net 4.52 GB and
/// the shared VAE and bigG encoder. True, in decimal gigabytes at 2 bytes per parameter: the
/// parts add up to the totals, and the U-Net's 5.14 GB / 2 is the 2.6 B parameters stated
/// elsewhere in the notes, the bigG's 1.39 GB / 2 its 694 M.
let sdxlSizesCheck = CheckDefinition(
    id: "notes.sdxl-fp16-sizes",
    title: "SDXL's FP16 sizes add up, and bytes / 2 are the stated parameter counts (decimal GB)",
    parameters: [],
    mutations: [Mutation("binary-gigabytes", "GB read as GiB (2³⁰ bytes)")],
    verdict: .true,
    sources: [Note.n002.at("752"), Note.n002.at("757"), Note.n002.at("743"), Note.n002.at("846"), Note.n002.at("883")]
) { context in
    let gigabyte = context.mutated("binary-gigabytes") ? 1_073_741_824.0 : 1e9
    let (unet, vae, bigG, vitL) = (5.14, 0.167, 1.39, 0.246)
    return [
        statedFigureRow("base = U-Net + VAE + bigG + ViT-L (GB)", computed: unet + vae + bigG + vitL, stated: 6.94, within: 0.005 + 0.0105),
        statedFigureRow("FP32 base = 2 × FP16 (GB)", computed: 2 * 6.94, stated: 13.88, within: 0.005),
        statedFigureRow("refiner = U-Net + VAE + bigG (GB)", computed: 4.52 + vae + bigG, stated: 6.08, within: 0.005 + 0.0105),
        statedFigureRow("base U-Net parameters = 5.14 GB / 2 (billions)", computed: unet * gigabyte / 2 / 1e9, stated: 2.6, within: 0.05 + 0.0025),
        statedFigureRow("refiner U-Net parameters = 4.52 GB / 2 (billions)", computed: 4.52 * gigabyte / 2 / 1e9, stated: 2.3, within: 0.05 + 0.0025),
        statedFigureRow("bigG text encoder parameters = 1.39 GB / 2 (millions)", computed: bigG * gigabyte / 2 / 1e6, stated: 694, within: 0.5 + 2.5),
    ]
}
