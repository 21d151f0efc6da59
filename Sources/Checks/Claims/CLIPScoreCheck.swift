import CheckCore
import CheckKit
import Foundation
import Stochastic

/// Cosine similarity ⟨x, y⟩/(|x||y|), the score CLIP compares embeddings with.
func cosineSimilarity(_ x: [Double], _ y: [Double]) -> Double {
    let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    let nx = x.reduce(0) { $0 + $1 * $1 }.squareRoot(), ny = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return dot / (nx * ny)
}

/// 002 (CLIP) and 004: a CLIP score compares a text and an image embedding by cosine
/// similarity: matched pairs near 1, unrelated ones near 0. Qualified. The cosine lies in
/// [−1, 1], ignores the embeddings' lengths, and for independent random directions in d
/// dimensions has mean 0 and variance 1/d: "unrelated ≈ 0" is a property of high dimension.
/// But "matched ≈ 1" is true only of an idealized encoder: trained CLIP gives matching pairs
/// cosines around 0.3 (reported CLIP scores of good text-to-image models are 30–36 on the
/// 100·cos scale; diffusers' evaluation guide reports 35.7 for SD v1-4). No pretrained CLIP is
/// on this machine, so that figure is cited, not measured.
let clipScoreCheck = CheckDefinition(
    id: "notes.clip-cosine",
    title: "CLIP score as cosine similarity: in [−1, 1], blind to scale, ≈ 0 (variance 1/d) for unrelated pairs; matched pairs ≈ 0.3, not 1",
    parameters: [
        ParameterSpec("d", .integer(2...4096), default: .integer(512), help: "embedding dimension"),
        .samples(default: 20_000),
    ],
    mutations: [Mutation("dot-product", "the score taken as the raw dot product ⟨x, y⟩")],
    verdict: .qualified,
    sources: [Note.n002.at("563–566"), Note.n002.at("86"), Note.n004.at("47–51")]
) { context in
    let d = context.parameters.integer("d")
    let dotOnly = context.mutated("dot-product")
    func score(_ x: [Double], _ y: [Double]) -> Double {
        dotOnly ? zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } : cosineSimilarity(x, y)
    }
    var stream = context.randomStream
    var moments = MomentAccumulator()
    var largest = 0.0, worstScale = 0.0
    for index in 0..<context.samples {
        let x = (0..<d).map { _ in stream.normal() }, y = (0..<d).map { _ in stream.normal() }
        let s = score(x, y)
        moments.add(s)
        largest = max(largest, abs(s))
        if index < 100 {  // the scale test on the first pairs: it is exact, not statistical
            // The change is measured absolutely: the cosine lies in [−1, 1] and its rounding
            // error is about d·2⁻⁵³ ≈ 6·10⁻¹⁴ whatever its size, so a relative change would
            // blow up on the pairs whose cosine happens to be near 0.
            let scaled = score(x.map { 3.5 * $0 }, y.map { 0.2 * $0 })
            worstScale = max(worstScale, abs(scaled - s))
        }
    }
    let probe = (0..<d).map { _ in stream.normal() }
    return [
        .exact("score(x, 2x) = 1", closedForm: score(probe, probe.map { 2 * $0 }), exact: 1),
        .exact("score(x, −x) = −1", closedForm: score(probe, probe.map { -$0 }), exact: -1),
        .holds("max |score| over random pairs", value: largest, rule: "≤ 1", pass: largest <= 1),
        .holds("change of the score when x×3.5, y×0.2", value: worstScale, rule: "≤ 1e-12", pass: worstScale <= 1e-12),
        .monteCarlo("mean score of unrelated pairs = 0", closedForm: 0, estimate: moments.meanEstimate),
        .monteCarlo("variance of the score of unrelated pairs = 1/d", closedForm: 1 / Double(d), estimate: moments.varianceEstimate),
        .holds("cited: SD v1-4's CLIP score 35.7/100 → a matched pair's cosine", value: 0.357, rule: "reported (not measured here): far from 1", pass: true),
    ]
}
