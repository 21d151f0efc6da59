import CheckCore
import CheckKit
import ForwardProcess
import Posterior
import Stochastic

/// The three ways to take a reverse step agree where they should.
let samplerCheck = CheckDefinition(
    id: "posterior.samplers",
    title: "Reverse steps: eq. 11 ≡ eq. 15 then 7 without clipping; DDIM with η = 1 ≡ the ancestral step with σ² = β̃",
    parameters: [
        .schedule(), .steps(), .timesteps([2, 10, 500, 1000]),
        ParameterSpec("points", .integer(1...100_000), default: .integer(1000), help: "random (xₜ, ε, z) per t"),
    ],
    mutations: [Mutation("ddim-sigma", "σ(η) = η·√(1 − ᾱₜ/ᾱₜ₋₁) without the factor √((1−ᾱₜ₋₁)/(1−ᾱₜ))")],
    run: samplerRows
)

@Sendable
func samplerRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for t in try context.timesteps(schedule) where schedule.alpha(t) > 0 {
        guard t >= 2 else { throw CheckFailure("use t ≥ 2: at t = 1 the steps differ only by the noise Algorithm 2 omits") }
        var routeGap = 0.0, ddimGap = 0.0, clipped = 0, clipShift = MomentAccumulator()
        for _ in 0..<context.parameters.integer("points") {
            let (xt, epsilon, z) = (stream.normal() * 1.5, stream.normal(), stream.normal())
            let ancestral = try ReverseStep.ancestral(schedule, t: t, xt: xt, epsilon: epsilon, variance: .small, z: z)
            let viaX0 = try ReverseStep.viaX0(schedule, t: t, xt: xt, epsilon: epsilon, clip: nil, variance: .small, z: z)
            let ddim: Double
            if context.mutated("ddim-sigma") {
                let sigma = schedule.oneMinusAlphaBarRatio(from: t - 1, to: t).squareRoot()
                let x0 = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
                let remaining = max(schedule.oneMinusAlphaBar(t - 1) - sigma * sigma, 0)
                ddim = schedule.sqrtAlphaBar(t - 1) * x0 + remaining.squareRoot() * epsilon + sigma * z
            } else {
                ddim = ReverseStep.ddim(schedule, t: t, previous: t - 1, xt: xt, epsilon: epsilon, eta: 1, z: z)
            }
            let scale = max(abs(ancestral), abs(xt), 1) / schedule.sqrtAlphaBar(t)
            routeGap = max(routeGap, abs(viaX0 - ancestral) / scale)
            ddimGap = max(ddimGap, abs(ddim - ancestral) / scale)
            let withClip = try ReverseStep.viaX0(schedule, t: t, xt: xt, epsilon: epsilon, clip: 1, variance: .small, z: z)
            if withClip != viaX0 { clipped += 1 }
            clipShift.add(abs(withClip - viaX0))
        }
        let n = Double(context.parameters.integer("points"))
        rows.append(.holds("t=\(t): |eq. 11 − (eq. 15 + 7)| / scale", value: routeGap, rule: "≤ 1e-12", pass: routeGap <= 1e-12))
        rows.append(.holds("t=\(t): |DDIM(η=1) − ancestral(β̃)| / scale", value: ddimGap, rule: "≤ 1e-12", pass: ddimGap <= 1e-12))
        rows.append(.holds("t=\(t): share of steps changed by clipping x̂₀", value: Double(clipped) / n, rule: "reported", pass: true))
        rows.append(.holds("t=\(t): mean |shift| of xₜ₋₁ from clipping", value: clipShift.mean, rule: "reported", pass: true))
    }
    return rows
}
