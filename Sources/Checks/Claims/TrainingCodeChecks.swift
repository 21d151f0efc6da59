import CheckCore
import Posterior
import ForwardProcess

/// 001 (CompVis' `p_losses`): the error is averaged over dimensions [1, 2, 3], one value per
/// image, then weighted per sample by lvlb_weights[t]. True: a (16, 3, 64, 64) error reduces to
/// (16,), to which a (16,) weight vector applies element by element.
let perSampleLossCheck = CheckDefinition(
    id: "notes.p-losses-per-sample",
    title: "p_losses: the mean over dims [1, 2, 3] leaves one value per image, which lvlb_weights[t] (one per image) then weights",
    parameters: [],
    mutations: [Mutation("mean-dim-0", "the mean taken over dimension 0 (the batch)")],
    verdict: .true,
    sources: [Note.n001.at("12")]
) { context in
    let shape = [16, 3, 64, 64]
    var stream = context.randomStream
    let error = (0..<shape.reduce(1, *)).map { _ in stream.normal() }
    let perImage = shape[1] * shape[2] * shape[3]
    let reduced: [Double]
    if context.mutated("mean-dim-0") {
        reduced = (0..<perImage).map { k in (0..<shape[0]).reduce(0) { $0 + error[$1 * perImage + k] } / Double(shape[0]) }
    } else {
        reduced = (0..<shape[0]).map { b in error[(b * perImage)..<((b + 1) * perImage)].reduce(0, +) / Double(perImage) }
    }
    let weights = (0..<shape[0]).map { _ in stream.uniform() }
    let aligned = reduced.count == weights.count
    let weighted = aligned ? zip(weights, reduced).map(*).reduce(0, +) / Double(weights.count) : .nan
    return [
        .holds("values after the mean (one per image: 16)", value: Double(reduced.count), rule: "= 16", pass: reduced.count == shape[0]),
        .holds("(lvlb_weights[t] · loss).mean(), element by element", value: weighted, rule: "finite: the (16,) weights align", pass: weighted.isFinite),
    ]
}

/// 002 (VAE training, the scale factor): before decoding, the rescaled latent is divided by the
/// factor 1/σ again. True: (f·z)/f = z to rounding, with Stable Diffusion's f = 0.18215.
let vaeUnscaleCheck = CheckDefinition(
    id: "notes.vae-unscale",
    title: "Decoding undoes the scale factor: (f·z)/f = z for f = 0.18215",
    parameters: [],
    mutations: [Mutation("scaled-twice", "the latent multiplied by f again before decoding")],
    verdict: .true,
    sources: [Note.n002.at("703")]
) { context in
    let f = 0.18215
    var stream = context.randomStream
    let z = (0..<1000).map { _ in stream.normal() }
    let decoded = z.map { ($0 * f) }.map { context.mutated("scaled-twice") ? $0 * f : $0 / f }
    let worst = zip(decoded, z).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? .infinity
    return [.holds("max relative |decoder input − z| over 1000 latents", value: worst, rule: "≤ 10⁻¹⁵·4: the identity", pass: worst <= 4e-15)]
}

/// 004 (how diffusion models work): the model predicts the noise, then subtracts it. Qualified:
/// DDPM's step (Posterior's map) subtracts only βₜ/√(1 − ᾱₜ) of ε̂ (2 % at t = T, 1 % at t = 1),
/// rescales by 1/√αₜ and adds fresh noise; subtracting all of it, √(1 − ᾱₜ)·ε̂, is the jump to
/// x̂₀, not a step.
let subtractNoiseCheck = CheckDefinition(
    id: "notes.subtract-noise",
    title: "A DDPM step subtracts a small share βₜ/√(1 − ᾱₜ) of ε̂ (0.020 at t = 1000), rescales by 1/√αₜ and adds noise; all of ε̂ is the jump to x̂₀",
    parameters: [],
    mutations: [Mutation("subtract-all", "the step xₜ₋₁ = xₜ − ε̂")],
    verdict: .qualified,
    sources: [Note.n004.at("15")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    var rows: [CheckRow] = []
    for t in [1000, 500, 1] {
        let map = context.mutated("subtract-all") ? AffineStep(xt: 1, epsilon: -1, noise: 0) : try ReverseStep.ancestralMap(schedule, t: t, variance: .small)
        // The share of ε̂ taken away, after undoing the rescaling: −b·√αₜ = βₜ/√(1 − ᾱₜ).
        let share = -map.epsilon / map.xt
        rows.append(.exact("t = \(t): share of ε̂ subtracted (−b/a) against βₜ/√(1 − ᾱₜ)", closedForm: share,
                           exact: schedule.beta(t) / schedule.oneMinusAlphaBar(t).squareRoot()))
        rows.append(.holds("t = \(t): rescaling a = 1/√αₜ = \(shortNumber(map.xt)), fresh noise σ = \(shortNumber(map.noise))", value: map.xt,
                           rule: "> 1: the step also rescales", pass: map.xt > 1))
    }
    return rows
}
