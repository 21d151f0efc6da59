import CheckCore

/// 002 (Stable Diffusion's decoder and VAE) and 001: SD works on a 4-channel latent 8 times
/// smaller in each side — a 512×512×3 image is a 64×64×4 latent; SDXL's 1024×1024 a 128×128×4.
/// True. The factor is 2 per downsampling of the VAE's encoder, three of them between its four
/// levels (channels 128, 256, 512, 512), and the latent holds 8²·3/4 = 48 times fewer numbers.
let latentShapesCheck = CheckDefinition(
    id: "notes.latent-shapes",
    title: "512×512×3 → 64×64×4: three 2× downsamplings give f = 8, and 48× fewer numbers",
    parameters: [],
    mutations: [Mutation("four-downsamplings", "a downsampling at every one of the four levels (f = 16)")],
    verdict: .true,
    sources: [Note.n002.at("456–457"), Note.n002.at("521"), Note.n001.at("14")]
) { context in
    let levels = 4  // the VAE encoder's block_out_channels: 128, 256, 512, 512
    let downsamplings = context.mutated("four-downsamplings") ? levels : levels - 1
    let factor = 1 << downsamplings
    var rows: [CheckRow] = []
    for (image, latent) in [(512, 64), (768, 96), (1024, 128)] {
        rows.append(.exact("\(image)×\(image) image: latent side = side / f", closedForm: Double(image / factor), exact: Double(latent)))
    }
    let ratio = Double(512 * 512 * 3) / Double(64 * 64 * 4)
    rows.append(.exact("numbers in image / latent = f²·3/4", closedForm: Double(factor * factor * 3) / 4, exact: ratio))
    return rows
}
