import CheckCore
import CheckKit
import Foundation
import Gaussian
import LatentDiffusion
import Neural

/// Cross-attention as the U-Net computes it, against its definition: in the committed
/// U-Net's first SpatialTransformer, queries come from the image tokens (B·64 rows of the
/// 8×8 latent), keys and values from the text encoder's B·4 context tokens; per head h
/// (d = C/heads columns) Attention = softmax(Q_h K_hᵀ/√d)·V_h. The attention op's output is
/// recomputed in Double from the same Q, K, V.
let attentionCheck = CheckDefinition(
    id: "latent.attention",
    title: "Cross-attention in the committed U-Net = softmax(QKᵀ/√d)V per head, queries from image tokens, keys/values from the prompt",
    parameters: [],
    mutations: [Mutation("unscaled", "softmax(QKᵀ)V without the 1/√d"),
                Mutation("one-head", "a single head over all C columns (d = C)")],
    run: attentionRows
)

@Sendable
func attentionRows(_ context: CheckContext) throws -> [CheckRow] {
    let models = try CommittedModels.load()
    guard case .spatial(let transformer) = models.unet.down[0].attention, let cross = transformer.block.cross else {
        throw LatentCheckpointError("the committed U-Net has no SpatialTransformer with cross-attention at its first level")
    }
    let tape = Tape()
    tape.isRecording = false
    let batch = 2
    var stream = context.randomStream
    let image = tape.input(shape: [batch * 64, transformer.block.norm1.gamma.value.count]) { target in
        for k in 0..<(batch * 64 * 64) { target[k] = Float(stream.normal()) }
    }
    let prompts = [Prompt.forClass(7), Prompt.forClass(3)]
    let contextTokens = models.pipeline.encoder(prompts, on: tape)
    let attention = cross.attention
    let q = attention.query(image, on: tape), k = attention.key(contextTokens, on: tape), v = attention.value(contextTokens, on: tape)
    let output = tape.value(tape.attention(query: q, key: k, value: v, batch: batch, heads: attention.heads))
    let queries = tape.value(q), keys = tape.value(k), values = tape.value(v)
    let channels = queries.columns, tokens = 64, contextLength = TextEncoder.length
    let heads = context.mutated("one-head") ? 1 : attention.heads
    let d = channels / heads
    let scale = context.mutated("unscaled") ? 1 : 1 / Double(d).squareRoot()
    var worst = 0.0, largest = 0.0
    for b in 0..<batch {
        for h in 0..<heads {
            for i in 0..<tokens {
                let row = (b * tokens + i) * channels + h * d
                var logits = (0..<contextLength).map { j -> Double in
                    let key = (b * contextLength + j) * channels + h * d
                    return scale * (0..<d).reduce(0.0) { $0 + Double(queries.pointer[row + $1]) * Double(keys.pointer[key + $1]) }
                }
                let top = logits.max() ?? 0
                logits = logits.map { Foundation.exp($0 - top) }
                let total = logits.reduce(0, +)
                for c in 0..<d {
                    let expected = (0..<contextLength).reduce(0.0) { $0 + logits[$1] / total * Double(values.pointer[(b * contextLength + $1) * channels + h * d + c]) }
                    worst = max(worst, abs(expected - Double(output.pointer[row + c])))
                    largest = max(largest, abs(expected))
                }
            }
        }
    }
    return [
        .holds("shapes: Q \(queries.shape), K \(keys.shape), V \(values.shape) → output \(output.shape), \(attention.heads) heads", value: Double(output.count),
               rule: "output rows = query rows", pass: output.shape == queries.shape),
        .exact("largest |Float32 op − Double definition| / largest |output|", closedForm: worst / max(largest, 1e-30), exact: 0, relativeTolerance: 1e-5, floor: 1),
    ]
}
