import CheckCore

/// 002 (SDXL's U-Net, summary): leaving attention out of the first, highest-resolution stage
/// saves much memory and compute; many transformer blocks at the smaller stages are cheap.
/// True: self-attention over N tokens forms an N×N matrix per head. At 1024² SDXL's latent is
/// 128² = 16,384 tokens: 2.7·10⁸ entries per head (537 MB in FP16); each halving of the side
/// divides N by 4 and the matrix by 16. (The head width of 64 is the public config's.)
let attentionCostCheck = CheckDefinition(
    id: "notes.sdxl-attention-cost",
    title: "Attention's N×N matrix: 16,384 tokens at SDXL's first stage give 2.7·10⁸ entries per head; each halving ÷16",
    parameters: [],
    mutations: [Mutation("linear-cost", "a cost linear in the number of tokens (÷4 per halving)")],
    verdict: .true,
    sources: [Note.n002.at("838–839")]
) { context in
    func entries(side: Int) -> Double {
        let tokens = Double(side * side)
        return context.mutated("linear-cost") ? tokens * 16_384 : tokens * tokens
    }
    let first = entries(side: 128), second = entries(side: 64), third = entries(side: 32)
    return [
        .exact("first stage (128² tokens): entries per head", closedForm: first, exact: 268_435_456),
        .exact("FP16 bytes per head at the first stage (MB)", closedForm: first * 2 / 1e6, exact: 536.870912),
        .exact("first / second stage (64²)", closedForm: first / second, exact: 16),
        .exact("second / third stage (32²)", closedForm: second / third, exact: 16),
    ]
}
