import CheckCore
import LatentDiffusion
import Neural

/// 002 (the U-Net's CrossAttention module; SDXL's U-Net): the queries come from the latent and
/// the keys and values from the text; [B, C, H, W] becomes [B, HW, C], and linear layers bring
/// the text's width to C. True, run on the project's own attention layer at Stable Diffusion's
/// first level (512² image: 64² = 4096 latent tokens of 320 channels, 77 CLIP tokens of 768).
let crossAttentionShapesCheck = CheckDefinition(
    id: "notes.cross-attention-shapes",
    title: "Cross-attention at SD's first level: 4096 latent queries × 77 text keys, an output of 4096 × 320 that adds back to the latent; K/V weights 768 × 320",
    parameters: [],
    mutations: [Mutation("queries-from-text", "the queries taken from the text and the keys and values from the latent")],
    verdict: .true,
    sources: [Note.n002.at("621–622"), Note.n002.at("797–802")]
) { context in
    let (side, channels, tokens, width) = (64, 320, 77, 768)
    var stream = context.randomStream
    let attention = MultiHeadAttention(name: "attn2", channels: channels, contextChannels: width, heads: 8, stream: &stream)
    let sdxl = MultiHeadAttention(name: "attn2", channels: 640, contextChannels: 2048, heads: 10, stream: &stream)
    let tape = Tape()
    tape.isRecording = false
    let image = tape.input(shape: [1, channels, side, side]) { for k in 0..<(channels * side * side) { $0[k] = Float(stream.normal()) } }
    let text = tape.input(shape: [tokens, width]) { for k in 0..<(tokens * width) { $0[k] = Float(stream.normal()) } }
    let latentTokens = tape.imageToTokens(image)
    let roundTrip = tape.value(tape.tokensToImage(latentTokens, batch: 1, height: side, width: side))
    let difference = (0..<roundTrip.count).map { abs(roundTrip[$0] - tape.value(image)[$0]) }.max() ?? .infinity
    let output: Tensor
    if context.mutated("queries-from-text") {
        // Keys and values from the latent need a layer reading 320 wide, queries from a 768-wide text.
        let swapped = MultiHeadAttention(name: "swapped", channels: width, contextChannels: channels, heads: 8, stream: &stream)
        output = tape.value(swapped(text, context: latentTokens, batch: 1, on: tape))
    } else {
        output = tape.value(attention(latentTokens, context: text, batch: 1, on: tape))
    }
    return [
        .exact("[1, 320, 64, 64] → tokens → image, max |difference|", closedForm: Double(difference), exact: 0),
        .holds("output shape \(output.shape)", value: Double(output.shape[0]), rule: "= [4096, 320], the latent's tokens: adds back to the latent",
               pass: output.shape == [side * side, channels]),
        .exact("K projection weights, 768 → 320", closedForm: Double(attention.key.weight.value.count), exact: 245_760),
        .exact("SDXL level 2: K projection weights, 2048 → 640", closedForm: Double(sdxl.key.weight.value.count), exact: 1_310_720),
    ]
}

/// 002 (the DDPM U-Net's Self-Attention Block): (128, 32, 32) is reshaped to (1024, 128), goes
/// through LayerNorm and 4-head attention with embedding 128, and is reshaped back; the
/// embedding dimension varies between blocks with the input length. Qualified: the shapes are
/// right (head width 128/4 = 32), but the embedding dimension is the channel count, not the
/// sequence length: the same layer (4·(128² + 128) = 66,048 parameters) takes any length.
let attentionBlockShapesCheck = CheckDefinition(
    id: "notes.attn-block-shapes",
    title: "A self-attention layer's embedding is the channel count (128), not the length: the same 66,048-parameter layer runs on 1024 and 256 tokens",
    parameters: [],
    mutations: [Mutation("embed-is-length", "the layer built with its embedding equal to the sequence length, 1024")],
    verdict: .qualified,
    sources: [Note.n002.at("254–262")]
) { context in
    var stream = context.randomStream
    let embedding = context.mutated("embed-is-length") ? 1024 : 128
    let attention = MultiHeadAttention(name: "attn", channels: embedding, contextChannels: embedding, heads: 4, stream: &stream)
    let parameters = attention.parameters.reduce(0) { $0 + $1.value.count }
    var rows: [CheckRow] = [.exact("parameters of MHA(128, 4) = 4·(128² + 128)", closedForm: Double(parameters), exact: 66_048)]
    for length in [1024, 256] {
        // A feature map of 128 channels (32² or 16² positions), as tokens [length, 128].
        let accepts = attention.query.weight.value.shape[0] == 128
        var shape: [Int] = []
        if accepts {
            let tape = Tape()
            tape.isRecording = false
            let x = tape.input(shape: [length, 128]) { for k in 0..<(length * 128) { $0[k] = Float(stream.normal()) } }
            shape = tape.value(attention(x, batch: 1, on: tape)).shape
        }
        rows.append(.holds("\(length) tokens of 128: output \(shape)", value: Double(shape.first ?? 0), rule: "= [\(length), 128]: the layer takes any length",
                           pass: shape == [length, 128]))
    }
    return rows
}
