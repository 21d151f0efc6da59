import CheckCore
import Foundation
import Neural

/// The sinusoidal (Fourier) embedding of SDXL's size/crop numbers, in Double: the cosines
/// first, then the sines, [cos(x·ωₖ), sin(x·ωₖ)] for k < dim/2, at the timestep embedding's
/// frequencies ωₖ = 10000^(−k/(dim/2)) (`SinusoidalEmbedding.frequencies`).
func fourierEmbedding(_ x: Double, dimension: Int) -> [Double] {
    let frequencies = SinusoidalEmbedding.frequencies(dimensions: dimension)
    return frequencies.map { Foundation.cos(x * $0) } + frequencies.map { Foundation.sin(x * $0) }
}

/// 002 (SDXL conditioning): the original size (h, w), the crop offset (top, left) and the
/// target size (h, w) are six numbers, each Fourier-embedded to 256 dims; with the pooled
/// OpenCLIP bigG text embedding (1280) they form the 2816-dim vector added to the time embedding.
let sdxlPooledCheck = CheckDefinition(
    id: "notes.sdxl-pooled",
    title: "SDXL's extra conditioning: pooled text 1280 + 6 size/crop numbers × 256 = 2816",
    parameters: [],
    mutations: [Mutation("five-numbers", "only five size/crop numbers embedded (one crop coordinate forgotten)")],
    verdict: .true,
    sources: [Note.n002.at("974–975")]
) { context in
    let original = [1024.0, 768.0], crop = [0.0, 128.0], target = [1024.0, 1024.0]
    var numbers = original + crop + target
    if context.mutated("five-numbers") { numbers.removeLast() }
    let embeddings = numbers.map { fourierEmbedding($0, dimension: 256) }
    let pooled = Array(repeating: 0.0, count: 1280)
    let vector = pooled + embeddings.flatMap { $0 }
    // Each embedding is 128 (cos, sin) pairs: its squared norm is exactly 128.
    let worstNorm = embeddings.map { abs($0.reduce(0) { $0 + $1 * $1 } - 128) }.max() ?? .infinity
    return [
        .exact("size/crop numbers", closedForm: Double(numbers.count), exact: 6),
        .exact("dims of the conditioning vector", closedForm: Double(vector.count), exact: 2816),
        .holds("max |‖embedding‖² − 128|", value: worstNorm, rule: "≤ 1e-9", pass: worstNorm <= 1e-9),
    ]
}
