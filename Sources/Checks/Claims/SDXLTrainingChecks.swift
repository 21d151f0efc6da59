import CheckCore
import ForwardProcess

/// 002 (SDXL's multi-scale training): 600,000 steps at 256² and 200,000 at 512² with batch size
/// 2048, in all about 16.384 hundred million (yi) samples. True for the arithmetic:
/// 800,000 × 2048 = 1,638,400,000 = 16.384·10⁸ samples seen (not distinct images).
let sdxlPretrainSamplesCheck = CheckDefinition(
    id: "notes.sdxl-pretrain-samples",
    title: "SDXL's pretraining saw (600,000 + 200,000) × 2048 = 16.384·10⁸ samples",
    parameters: [],
    mutations: [Mutation("first-stage-only", "only the 600,000 steps at 256² counted")],
    verdict: .true,
    sources: [Note.n002.at("952")]
) { context in
    let steps = context.mutated("first-stage-only") ? 600_000 : 600_000 + 200_000
    let samples = Double(steps * 2048)
    return [statedFigureRow("samples seen (units of 10⁸, yi)", computed: samples / 1e8, stated: 16.384, within: 0.0005)]
}

/// 002 (CLIP in SD and SDXL): a prompt of more than 77 tokens is cut back to 77 × 768
/// (77 × 2048 in SDXL) and a shorter one padded, so the text's length is no longer limited.
/// Qualified: the shape is fixed, but the begin and end tokens take 2 of the 77 positions, so at
/// most 75 words' tokens are read and the rest is dropped: the length is limited, silently.
let clipTokensCheck = CheckDefinition(
    id: "notes.clip-77-tokens",
    title: "77 CLIP positions hold at most 75 prompt tokens (begin and end take two): a 100-token prompt loses 25; shapes 77 × 768 and 77 × 2048",
    parameters: [],
    mutations: [Mutation("all-kept", "every prompt token represented, as the notes read")],
    verdict: .qualified,
    sources: [Note.n002.at("729"), Note.n002.at("861")]
) { context in
    let positions = 77, special = context.mutated("all-kept") ? 0 : 2
    let prompt = 100
    // CLIP's tokenizer: <start>, the prompt's tokens cut to fit, <end>, padding to 77.
    let kept = min(prompt, positions - special), dropped = prompt - kept
    return [
        .exact("prompt tokens read of \(prompt)", closedForm: Double(kept), exact: 75),
        .holds("prompt tokens dropped", value: Double(dropped), rule: "> 0: the length is limited", pass: dropped > 0),
        .exact("SD's context, 77 × 768 numbers", closedForm: Double(positions * 768), exact: 59_136),
        .exact("SDXL's context, 77 × 2048 numbers", closedForm: Double(positions * 2048), exact: 157_696),
    ]
}

/// 002 (SDXL's refiner): trained only on the first 200 timesteps, the low-noise ones. True on
/// SD's scaled-linear schedule, which SDXL keeps: at t = 200 ᾱ = 0.7537, SNR = 3.06, so the
/// refiner's 20 % of the steps all have SNR above 3, where the noise's standard deviation is at
/// most 0.50 against a signal of at least 0.87.
let refinerLowNoiseCheck = CheckDefinition(
    id: "notes.refiner-low-noise",
    title: "The refiner's first 200 of 1000 steps are the low-noise ones: SNR ≥ 3.06 there (scaled-linear), against 0.0047 at t = 1000",
    parameters: [],
    mutations: [Mutation("last-200", "the last 200 steps taken instead")],
    verdict: .true,
    sources: [Note.n002.at("904")]
) { context in
    let schedule = try NoiseSchedule.scaledLinear()
    let range = context.mutated("last-200") ? Array(801...1000) : Array(1...200)
    func snr(_ t: Int) -> Double { schedule.alphaBar(t) / schedule.oneMinusAlphaBar(t) }
    let lowest = range.map(snr).min() ?? 0
    return [
        .holds("lowest SNR over the refiner's steps", value: lowest, rule: "> 1: signal above noise throughout", pass: lowest > 1),
        .holds("SNR at t = 1000, for scale", value: snr(1000), rule: "reported", pass: snr(1000) > 0),
    ]
}
