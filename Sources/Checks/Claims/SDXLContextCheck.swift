import CheckCore

/// Concatenates two per-token feature matrices along the feature axis (tokens must match).
func concatenateFeatures(_ a: [[Double]], _ b: [[Double]]) throws -> [[Double]] {
    guard a.count == b.count else { throw CheckFailure("token counts differ: \(a.count) and \(b.count)") }
    return zip(a, b).map { $0 + $1 }
}

/// 002 (SDXL text encoders): OpenAI CLIP ViT-L/14 gives 77×768 token features, OpenCLIP
/// ViT-bigG 77×1280; concatenated per token they form SDXL's 77×2048 cross-attention context.
let sdxlContextCheck = CheckDefinition(
    id: "notes.sdxl-context",
    title: "SDXL's context: 77×768 (CLIP ViT-L) and 77×1280 (OpenCLIP bigG) concatenated per token → 77×2048",
    parameters: [],
    mutations: [Mutation("token-axis", "the two encoders' outputs stacked along the token axis instead of the feature axis")],
    verdict: .true,
    sources: [Note.n002.at("858–859")]
) { context in
    let clip = Array(repeating: Array(repeating: 0.0, count: 768), count: 77)
    let openCLIP = Array(repeating: Array(repeating: 1.0, count: 1280), count: 77)
    let joined: [[Double]]
    if context.mutated("token-axis") {
        joined = clip + openCLIP
    } else {
        joined = try concatenateFeatures(clip, openCLIP)
    }
    let widths = Set(joined.map(\.count))
    let width = widths.count == 1 ? (widths.first ?? 0) : -1
    return [
        .exact("tokens", closedForm: Double(joined.count), exact: 77),
        .exact("context dim (every token)", closedForm: Double(width), exact: 2048),
        .exact("numbers in the context", closedForm: Double(joined.reduce(0) { $0 + $1.count }), exact: 77 * 2048),
    ]
}
