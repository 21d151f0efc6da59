import CheckCore

/// 000 (the U-Net): encoder and decoder maps have the same sizes at each level and are
/// concatenated. Qualified: true of padded U-Nets (DDPM's, Stable Diffusion's), not of the
/// original (Ronneberger et al. 2015), whose unpadded 3×3 convolutions shrink every map by 2:
/// from a 572×572 input, two convolutions a level and 2×2 pooling give encoder maps 568, 280,
/// 136, 64 and a 28 bottom; up-convolutions double, so the decoder meets them at 56, 104, 200,
/// 392 and the encoder maps are cropped (568 → 392 at the top); the output is 388×388.
let unetSizesCheck = CheckDefinition(
    id: "notes.unet-symmetric-sizes",
    title: "Encoder and decoder sizes match only with padded convolutions: the original U-Net crops 568 → 392, 572 in, 388 out",
    parameters: [],
    mutations: [Mutation("padded", "the original U-Net's convolutions taken as padded (size-preserving)")],
    verdict: .qualified,
    sources: [Note.n000.at("97–105")]
) { context in
    func sizes(from input: Int, shrink: Int) -> (encoder: [Int], decoder: [Int], output: Int) {
        var side = input, encoder: [Int] = []
        for _ in 0..<4 {
            side -= 2 * shrink
            encoder.append(side)
            side /= 2
        }
        side -= 2 * shrink  // the bottom
        var decoder: [Int] = []
        for _ in 0..<4 {
            side *= 2
            decoder.append(side)
            side -= 2 * shrink
        }
        return (encoder, decoder.reversed(), side)
    }
    let unpadded = sizes(from: 572, shrink: context.mutated("padded") ? 0 : 2)
    let padded = sizes(from: 512, shrink: 0)
    var rows: [CheckRow] = [.exact("output side from 572 (the paper: 388)", closedForm: Double(unpadded.output), exact: 388)]
    for (level, (encoder, decoder)) in zip(unpadded.encoder, unpadded.decoder).enumerated() {
        rows.append(.holds("level \(level + 1): encoder \(encoder) vs decoder \(decoder), crop", value: Double(encoder - decoder),
                           rule: "> 0: sizes differ", pass: encoder > decoder))
    }
    let paddedGap = zip(padded.encoder, padded.decoder).map { abs($0 - $1) }.max() ?? 0
    rows.append(.holds("padded, from 512: max |encoder − decoder|", value: Double(paddedGap), rule: "= 0: sizes match", pass: paddedGap == 0))
    return rows
}
