import CheckCore

/// 002 (SDXL's CLIP text encoders): OpenAI CLIP ViT-L/14 has 123.65 M parameters, OpenCLIP
/// ViT-H/14 354.03 M, OpenCLIP ViT-bigG 694 M. True, for the text encoders with their final
/// projection. A CLIP text transformer of width w and L layers (vocabulary 49 408, 77
/// positions, MLP 4w) has 49 408w + 77w token and position embeddings, L·(12w² + 13w) in its
/// layers (attention 4(w² + w), MLP 8w² + 5w, two LayerNorms 4w), 2w in the final LayerNorm
/// and w² in the text projection. The widths and depths (768/12, 1024/24, 1280/32) and the
/// vocabulary are the models' published constants, not in the notes.
let clipTextParametersCheck = CheckDefinition(
    id: "notes.clip-text-params",
    title: "CLIP text encoders: 123.65 M (ViT-L/14), 354.03 M (ViT-H/14), 694 M (bigG), from the layer sizes",
    parameters: [],
    mutations: [Mutation("no-projection", "the count without the final text projection w²")],
    verdict: .true,
    sources: [Note.n002.at("843"), Note.n002.at("846")]
) { context in
    func parameters(width w: Int, layers: Int) -> Double {
        let embeddings = 49_408 * w + 77 * w
        let perLayer = 4 * (w * w + w) + (8 * w * w + 5 * w) + 4 * w
        let projection = context.mutated("no-projection") ? 0 : w * w
        return Double(embeddings + layers * perLayer + 2 * w + projection) / 1e6
    }
    return [
        statedFigureRow("ViT-L/14 text (M)", computed: parameters(width: 768, layers: 12), stated: 123.65, within: 0.005),
        statedFigureRow("ViT-H/14 text (M)", computed: parameters(width: 1024, layers: 24), stated: 354.03, within: 0.005),
        statedFigureRow("ViT-bigG text (M), stated truncated", computed: parameters(width: 1280, layers: 32), stated: 694, within: 1),
    ]
}
