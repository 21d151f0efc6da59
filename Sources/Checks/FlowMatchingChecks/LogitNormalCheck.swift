import CheckCore
import CheckKit
import FlowMatching
import Gaussian
import Stochastic

/// Logit-normal t: the draws against the CDF, and the density against quadrature.
let logitNormalCheck = CheckDefinition(
    id: "flow.logit-normal",
    title: "Logit-normal t = sigmoid(n), n ~ N(m, s²): draws follow Φ((logit t − m)/s); the density N(logit t)/(t(1−t)) integrates to 1 and gives the mean",
    parameters: [
        ParameterSpec("location", .real(-5...5), default: .real(0), help: "m"),
        ParameterSpec("scale", .real(0.05...5), default: .real(1), help: "s"),
        .samples(default: 200_000),
    ],
    mutations: [
        Mutation("no-jacobian", "the density N(logit t; m, s²) without the Jacobian 1/(t(1 − t))"),
        Mutation("probit", "draws t = Φ(m + s·n): the normal CDF in place of the logistic sigmoid"),
    ],
    run: logitNormalRows
)

@Sendable
func logitNormalRows(_ context: CheckContext) throws -> [CheckRow] {
    let law = LogitNormal(location: context.parameters.real("location"), scale: context.parameters.real("scale"))
    var stream = context.randomStream
    let draws = (0..<context.samples).map { _ in
        let n = stream.normal()
        return context.mutated("probit") ? StandardNormal.cdf(law.location + law.scale * n) : law.t(fromNormal: n)
    }
    func density(_ t: Double) -> Double { context.mutated("no-jacobian") ? law.density(t) * t * (1 - t) : law.density(t) }
    let moments = MomentAccumulator(draws)
    return [
        .distribution("law of t (KS against Φ((logit t − m)/s))", samples: draws, cdf: law.cdf),
        try .quadrature("∫ density dt over (0, 1)", closedForm: 1, from: 0, to: 1, center: 0.5, density),
        .monteCarlo("mean of t: ∫ t·density (quadrature) vs draws", closedForm: try Quadrature.integrate(from: 0, to: 1, center: 0.5) { $0 * density($0) }.value,
                    estimate: moments.meanEstimate),
    ]
}
