import CheckCore
import CheckKit
import ForwardProcess
import Stochastic

/// 002 (the whole forward process): chaining the step means √αₜ·xₜ₋₁ gives
/// μₜ = √(αₜαₜ₋₁⋯α₁)·x₀ = √ᾱₜ·x₀. True: the product of the step scales is √ᾱₜ to rounding, and
/// the chain simulated step by step (linear schedule, x₀ = 1, to t = 500) has that mean.
let meanChainCheck = CheckDefinition(
    id: "notes.mean-chain",
    title: "The forward chain's mean: the step scales multiply to √ᾱₜ, and simulated chains from x₀ = 1 end at √ᾱ₅₀₀ = 0.2803 on average",
    parameters: [],
    mutations: [Mutation("no-sqrt", "μₜ = ᾱₜ·x₀, the product without its square root")],
    verdict: .true,
    sources: [Note.n002.at("166–169")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let (t, paths) = (500, 50_000)
    func mean(_ t: Int) -> Double { context.mutated("no-sqrt") ? schedule.alphaBar(t) : schedule.sqrtAlphaBar(t) }
    var rows: [CheckRow] = []
    for step in [1, 10, 500, 1000] {
        let chained = (1...step).reduce(1.0) { $0 * schedule.alpha($1).squareRoot() }
        rows.append(.exact("√α₁·…·√αₜ at t = \(step) against μₜ/x₀", closedForm: mean(step), exact: chained))
    }
    var stream = context.randomStream
    var x = [Double](repeating: 1, count: paths)
    ForwardProcess.simulateChain(schedule, steps: t, &x, stream: &stream)
    rows.append(.monteCarlo("mean of x₅₀₀ over \(paths) chains of 500 steps from x₀ = 1", closedForm: mean(t), estimate: MomentAccumulator(x).meanEstimate))
    return rows
}

/// 000 (the noising part): at first the original image has the large weight, later the noise's
/// weight grows. True: xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, whose image weight √ᾱₜ falls from 0.99995 to
/// 0.0064 and noise weight √(1 − ᾱₜ) rises from 0.0100 to 0.99998 over the linear schedule,
/// both strictly monotone (the cumulative weights, not the per-step √αₜ and √βₜ).
let noiseWeightsCheck = CheckDefinition(
    id: "notes.noise-weights-monotone",
    title: "The image's weight √ᾱₜ falls (0.99995 → 0.0064) and the noise's √(1 − ᾱₜ) rises (0.0100 → 0.99998), step after step",
    parameters: [],
    mutations: [Mutation("per-step", "the per-step weights √αₜ and √βₜ, by which the image keeps 99 % of its weight even at t = T")],
    verdict: .true,
    sources: [Note.n000.at("31")]
) { context in
    let schedule = try NoiseSchedule.make(.linear, steps: 1000)
    let perStep = context.mutated("per-step")
    func image(_ t: Int) -> Double { perStep ? schedule.alpha(t).squareRoot() : schedule.sqrtAlphaBar(t) }
    func noise(_ t: Int) -> Double { perStep ? schedule.beta(t).squareRoot() : schedule.oneMinusAlphaBar(t).squareRoot() }
    let steps = Array(1..<schedule.steps)
    let falls = steps.filter { image($0 + 1) < image($0) }.count, rises = steps.filter { noise($0 + 1) > noise($0) }.count
    let crossing = (1...schedule.steps).first { noise($0) > image($0) } ?? 0
    return [
        .holds("t = 1: image weight \(shortNumber(image(1))), noise weight \(shortNumber(noise(1)))", value: image(1) - noise(1), rule: "> 0: the image weighs more", pass: image(1) > noise(1)),
        .holds("t = T: image weight \(shortNumber(image(schedule.steps))), noise weight \(shortNumber(noise(schedule.steps)))", value: noise(schedule.steps) - image(schedule.steps),
               rule: "> 0.9: the noise weighs nearly all", pass: noise(schedule.steps) - image(schedule.steps) > 0.9),
        .holds("steps where the image weight falls, of \(steps.count)", value: Double(falls), rule: "= \(steps.count): strictly decreasing", pass: falls == steps.count),
        .holds("steps where the noise weight rises, of \(steps.count)", value: Double(rises), rule: "= \(steps.count): strictly increasing", pass: rises == steps.count),
        .holds("first t where the noise outweighs the image", value: Double(crossing), rule: "reported", pass: crossing > 0),
    ]
}
