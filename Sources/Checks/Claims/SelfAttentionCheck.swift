import CheckCore
import Neural
import Stochastic

/// 002 (the U-Net's transformer block): self-attention relates features "without regard to
/// position" and so "has some translation invariance". Qualified. Without positional
/// encodings (SD's spatial transformer adds none), self-attention is permutation-*equivariant*:
/// permuting the tokens — a shift of the image is one such permutation — permutes the outputs
/// the same way. It is not invariant: the output changes with the input's order. Checked on
/// the project's own attention (`Tape.attention`, with Q, K, V projections) in Float32:
/// equivariance holds to rounding, 16·2⁻²³ relative to the largest output (each output sums
/// 16 softmax-weighted values, in another order after the permutation).
let selfAttentionCheck = CheckDefinition(
    id: "notes.self-attention-equivariance",
    title: "Self-attention without positions is permutation-equivariant (outputs move with the tokens), not invariant",
    parameters: [],
    mutations: [Mutation("invariant", "the claim read as invariance: attn(PX) compared with attn(X)")],
    verdict: .qualified,
    sources: [Note.n002.at("632")]
) { context in
    let (tokens, width) = (16, 8)
    var stream = context.randomStream
    func random(_ count: Int) -> [Float] { (0..<count).map { _ in Float(stream.normal()) } }
    let x = random(tokens * width)
    let weights = (0..<3).map { _ in random(width * width).map { $0 / Float(width).squareRoot() } }
    func attend(_ input: [Float]) -> [Float] {
        let tape = Tape()
        tape.isRecording = false
        let tokensIn = tape.constant(Tensor(shape: [tokens, width], values: input))
        let zero = tape.constant(Tensor(zeros: [width]))
        let projected = weights.map { tape.linear(tokensIn, weight: tape.constant(Tensor(shape: [width, width], values: $0)), bias: zero) }
        return tape.value(tape.attention(query: projected[0], key: projected[1], value: projected[2], batch: 1, heads: 2)).values
    }
    // A cyclic shift by 5 tokens (a translation of a 1-D "image").
    let permutation = (0..<tokens).map { ($0 + 5) % tokens }
    func permuted(_ rows: [Float]) -> [Float] { permutation.flatMap { rows[($0 * width)..<(($0 + 1) * width)] } }
    let out = attend(x), outOfPermuted = attend(permuted(x))
    let scale = Double(out.map(abs).max() ?? 1)
    let compared = context.mutated("invariant") ? out : permuted(out)
    let equivariance = zip(outOfPermuted, compared).map { Double(abs($0 - $1)) }.max() ?? .infinity
    let change = zip(outOfPermuted, out).map { Double(abs($0 - $1)) }.max() ?? 0
    let tolerance = 16 * Double(Float.ulpOfOne) * scale
    return [
        .holds("max |attn(PX) − P·attn(X)|", value: equivariance, rule: "≤ 16·2⁻²³·max|attn| = \(shortNumber(tolerance)): equivariant", pass: equivariance <= tolerance),
        .holds("max |attn(PX) − attn(X)|", value: change, rule: "> 0.1·max|attn|: not invariant", pass: change > 0.1 * scale),
    ]
}
