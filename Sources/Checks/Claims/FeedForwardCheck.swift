import CheckCore
import Foundation
import LatentDiffusion
import Neural

/// 002 (the BasicTransformerBlock's FeedForward, also SDXL's): FeedForward = GEGLU + Dropout +
/// Linear. True, on the project's own `FeedForward` at Stable Diffusion's first level
/// (C = 320, inner width 4C): [a, g] = x·W₁ + b₁ (320 → 2560, split into two halves of 1280),
/// a ⊙ GELU(g), then W₂ (1280 → 320); dropout is the identity at inference. 320·2560 + 2560 +
/// 1280·320 + 320 = 1,231,680 parameters; a plain GELU MLP of the same inner width has 820,800.
let feedForwardCheck = CheckDefinition(
    id: "notes.geglu-ff",
    title: "The transformer's feed-forward is GEGLU then Linear: (a ⊙ GELU(g))·W₂ + b₂ with [a, g] = x·W₁ + b₁, 1,231,680 parameters at C = 320",
    parameters: [],
    mutations: [Mutation("plain-mlp", "a plain GELU MLP, GELU(x·W₁ + b₁)·W₂ + b₂ with W₁ 320 → 1280")],
    verdict: .true,
    sources: [Note.n002.at("634"), Note.n002.at("806")]
) { context in
    let (channels, tokens) = (320, 16), inner = 4 * channels
    var stream = context.randomStream
    let layer = FeedForward(name: "ff", channels: channels, stream: &stream)
    let plain = context.mutated("plain-mlp")
    let x = (0..<(tokens * channels)).map { _ in stream.normal() }
    let tape = Tape()
    tape.isRecording = false
    let output = tape.value(layer(tape.constant(Tensor(shape: [tokens, channels], values: x.map(Float.init))), on: tape))
    let w1 = layer.input.weight.value, b1 = layer.input.bias?.value, w2 = layer.output.weight.value, b2 = layer.output.bias?.value
    func gelu(_ v: Double) -> Double { 0.5 * v * (1 + erf(v / 2.squareRoot())) }
    // The formula in Double from the layer's weights: y = (a ⊙ GELU(g))·W₂ + b₂, [a, g] = x·W₁ + b₁.
    var difference = 0.0, norm = 0.0
    for token in 0..<tokens {
        var projected = [Double](repeating: 0, count: 2 * inner)
        for j in 0..<(2 * inner) {
            var sum = Double(b1?[j] ?? 0)
            for i in 0..<channels { sum += x[token * channels + i] * Double(w1[i * 2 * inner + j]) }
            projected[j] = sum
        }
        let hidden = (0..<inner).map { plain ? gelu(projected[$0]) : projected[$0] * gelu(projected[inner + $0]) }
        for k in 0..<channels {
            var y = Double(b2?[k] ?? 0)
            for j in 0..<inner { y += hidden[j] * Double(w2[j * channels + k]) }
            difference += pow(Double(output[token * channels + k]) - y, 2)
            norm += y * y
        }
    }
    let relative = (difference / norm).squareRoot()
    let parameters = layer.parameters.reduce(0) { $0 + $1.value.count }
    // GEGLU's first projection is twice as wide as a plain MLP's: it makes both a and g.
    let formula = channels * (plain ? 1 : 2) * inner + (plain ? 1 : 2) * inner + inner * channels + channels
    return [
        .holds("the layer against (a ⊙ GELU(g))·W₂ + b₂ in Double, relative RMS", value: relative,
               rule: "≤ 10⁻⁵ (Float32 sums of 320 and 1280 products)", pass: relative <= 1e-5),
        .exact("the layer's parameters against \(plain ? "320·1280 + 1280" : "320·2560 + 2560") + 1280·320 + 320", closedForm: Double(parameters), exact: Double(formula)),
    ]
}
