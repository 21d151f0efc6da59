import Foundation
import CheckCore
import ForwardProcess
import LatentDiffusion
import Neural
import ScoreODE

/// 002 (the refiner's structure): a 4-stage model is compared with a 3-stage one, both named
/// "SDXL Base". A slip: the 4-stage one is the refiner (384/768/1536/1536, three halvings of the
/// 128² latent, 128 → 16), the base has 3 stages (two halvings, 128 → 32).
let refinerStagesCheck = CheckDefinition(
    id: "notes.refiner-stages-slip",
    title: "The 4-stage U-Net is the refiner (128 → 16), the 3-stage one the base (128 → 32): not both the base",
    parameters: [],
    mutations: [Mutation("base-four-stages", "the base read as the 4-stage model, as written")],
    verdict: .slip,
    sources: [Note.n002.at("879")]
) { context in
    var base = PublishedUNets.sdxlBase
    if context.mutated("base-four-stages") { base = PublishedUNets.sdxlRefiner }
    let refiner = PublishedUNets.sdxlRefiner
    return [
        .holds("refiner: \(refiner.blockOutChannels.count) stages, 128 → \(128 >> refiner.parameterCount.downsamplings)", value: Double(refiner.blockOutChannels.count),
               rule: "= 4", pass: refiner.blockOutChannels.count == 4),
        .holds("base: \(base.blockOutChannels.count) stages, 128 → \(128 >> base.parameterCount.downsamplings)", value: Double(base.blockOutChannels.count),
               rule: "= 3: the two are different models", pass: base.blockOutChannels.count == 3),
    ]
}

/// 002 (SD's components, the text encoder): CLIP ViT-L/14, 77 vectors of 768 dimensions.
/// Qualified: true of SD 1.x, whose U-Net's cross-attention reads 768 features; SD 2.x uses
/// OpenCLIP ViT-H/14, 77 × 1024 (as the notes say themselves in the SDXL part), and its U-Net
/// reads 1024.
let sdTextEncoderCheck = CheckDefinition(
    id: "notes.sd-text-encoder",
    title: "77 × 768 is SD 1.x's text context (CLIP ViT-L/14); SD 2.x's U-Net reads 77 × 1024 (OpenCLIP ViT-H/14)",
    parameters: [],
    mutations: [Mutation("sd2-768", "SD 2.x taken to read 768 features too")],
    verdict: .qualified,
    sources: [Note.n002.at("436"), Note.n002.at("568")]
) { context in
    var sd2 = PublishedUNets.sd2
    if context.mutated("sd2-768") { sd2.crossAttentionDim = PublishedUNets.sd1.crossAttentionDim }
    // The width the cross-attention's key projection reads, from the U-Net as `lessons forward` builds it.
    let sd1Width = PublishedUNets.sd1.crossAttentionDim[0], sd2Width = sd2.crossAttentionDim[0]
    return [
        .exact("SD 1.x: 77 × context width", closedForm: Double(77 * sd1Width), exact: 59_136),
        .holds("SD 2.x: 77 × context width", value: Double(77 * sd2Width), rule: "= 78,848 (1024 wide): not 768", pass: sd2Width == 1024),
    ]
}

/// 002 (how SD runs): the U-Net iterates about 50 or 100 times. Qualified: those are sampler
/// steps; the model is trained on T = 1000 steps, and a 50-step sampler (trailing spacing)
/// visits every 20th of them.
let samplingStepsCheck = CheckDefinition(
    id: "notes.sd-sampling-steps",
    title: "50 sampling steps visit every 20th of the 1000 training steps (1000, 980, …, 20), 100 steps every 10th",
    parameters: [],
    mutations: [Mutation("trained-on-50", "the model taken to be trained on T = 50 steps")],
    verdict: .qualified,
    sources: [Note.n002.at("473")]
) { context in
    let schedule = try NoiseSchedule.scaledLinear(steps: context.mutated("trained-on-50") ? 50 : 1000)
    var rows: [CheckRow] = []
    for steps in [50, 100] {
        let visited = TimestepSpacing.trailing.timesteps(steps, of: schedule)
        let gaps = Set(zip(visited, visited.dropFirst()).map { $0 - $1 })
        rows.append(.holds("\(steps) steps on T = \(schedule.steps): visited \(visited.prefix(3).map(String.init).joined(separator: ", ")), …",
                           value: Double(gaps.first ?? 0), rule: "= \(1000 / steps): a stride through T = 1000", pass: gaps == [1000 / steps]))
    }
    return rows
}

/// 002 (VAE training, the total loss): E(x) is said to be the image the VAE reconstructs. A
/// slip: E(x) is the latent, the reconstruction is D(E(x)), which the loss (LDM's eq. 25) uses.
/// On the project's own autoencoder: E(x) of a 32² image is [4, 8, 8], 256 numbers, only
/// D(E(x)) has the image's shape [1, 32, 32] to compare with x.
let vaeLossEncoderCheck = CheckDefinition(
    id: "notes.vae-loss-encoder",
    title: "E(x) is the latent ([4, 8, 8] for a 32² image), D(E(x)) the reconstruction ([1, 32, 32]): only D(E(x)) can enter L_rec(x, ·)",
    parameters: [],
    mutations: [Mutation("encoder-as-reconstruction", "E(x) taken as the reconstruction, as written")],
    verdict: .slip,
    sources: [Note.n002.at("714–716")]
) { context in
    let autoencoder = Autoencoder(seed: context.seed)
    let tape = Tape()
    tape.isRecording = false
    var stream = context.randomStream
    let x = tape.input(shape: [1, 1, 32, 32]) { for k in 0..<1024 { $0[k] = Float(stream.uniform(in: -1...1)) } }
    let latent = autoencoder.encode(x, on: tape).mean
    let reconstruction = context.mutated("encoder-as-reconstruction") ? latent : autoencoder.decode(latent, on: tape)
    let shape = tape.value(reconstruction).shape
    return [
        .holds("E(x): \(tape.value(latent).shape)", value: Double(tape.value(latent).count), rule: "reported: 256 latent numbers", pass: tape.value(latent).count == 256),
        .holds("the reconstruction fed to L_rec(x, ·): \(shape)", value: Double(shape.reduce(1, *)), rule: "= [1, 1, 32, 32], x's shape", pass: shape == [1, 1, 32, 32]),
    ]
}

/// 002 (VAE training, the VQ regularization): a large codebook "sampling dimension" of 8192.
/// Qualified: 8192 is the number of codebook entries, not a dimension (the code vectors have 3
/// or 4 components), so each latent position carries log₂ 8192 = 13 bits, a 64 × 64 latent
/// 53,248 bits.
let vqCodebookCheck = CheckDefinition(
    id: "notes.vq-codebook",
    title: "8192 is the VQ codebook's number of entries, not a dimension: 13 bits per latent position, 53,248 for 64 × 64",
    parameters: [],
    mutations: [Mutation("dimension", "8192 taken as the code vectors' dimension, one entry per position of a 1-entry code")],
    verdict: .qualified,
    sources: [Note.n002.at("700")]
) { context in
    let entries = context.mutated("dimension") ? 1.0 : 8192.0
    let bits = log2(entries)
    return [
        .exact("bits per latent position, log₂ of the entries", closedForm: bits, exact: 13),
        .exact("bits in a 64 × 64 latent", closedForm: bits * 4096, exact: 53_248),
    ]
}
