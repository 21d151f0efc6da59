import CheckCore
import ELBO
import Foundation
import Stochastic

/// The discretized decoder is a probability distribution over the 256 levels.
let decoderCheck = CheckDefinition(
    id: "elbo.decoder",
    title: "Discretized Gaussian decoder (DDPM §3.3): 256 bins of width 2/255, edge bins to ±∞, masses sum to 1",
    parameters: [
        ParameterSpec("mean", .real(-2...2), default: .real(0.3), help: "μ of the decoder"),
        ParameterSpec("logScale", .real(-12...2), default: .real(-3), help: "log σ of the decoder"),
    ],
    mutations: [Mutation("no-edge-bins", "the edge bins not extended to ±∞: mass beyond ±1 ± 1/255 lost")],
    run: decoderRows
)

@Sendable
func decoderRows(_ context: CheckContext) throws -> [CheckRow] {
    let (mean, logScale) = (context.parameters.real("mean"), context.parameters.real("logScale"))
    let sigma = Foundation.exp(logScale)
    let truncate = context.mutated("no-edge-bins")
    func mass(_ x: Double) throws -> Double {
        if truncate && (x == -1 || x == 1) {
            return StandardNormal.cdf((x + 1.0 / 255 - mean) / sigma) - StandardNormal.cdf((x - 1.0 / 255 - mean) / sigma)
        }
        return Foundation.exp(try DiscretizedDecoder.logLikelihood(x, mean: mean, logScale: logScale))
    }
    let total = try DiscretizedDecoder.levels.reduce(0) { $0 + (try mass($1)) }
    var rows: [CheckRow] = [.exact("Σ over the 256 levels of P(x)", closedForm: total, exact: 1, relativeTolerance: 1e-12)]
    let density: (Double) -> Double = { x in Foundation.exp(-0.5 * (x - mean) * (x - mean) / (sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot()) }
    let nearest = DiscretizedDecoder.level(of: min(max(mean, -1), 1))
    for x in [nearest, nearest + 2.0 / 255, -1, 1] where x >= -1 && x <= 1 {
        let lower = x == -1 ? -Double.infinity : x - 1.0 / 255
        let upper = x == 1 ? Double.infinity : x + 1.0 / 255
        let integral = try Quadrature.integrate(from: lower, to: upper, density).value
        rows.append(.exact("P(x=\(shortNumber(x))) vs ∫ of N(μ, σ²) over its bin", closedForm: try mass(x), exact: integral,
                           relativeTolerance: 1e-9, floor: 1e-300))
    }
    let nats = -(try DiscretizedDecoder.logLikelihood(nearest, mean: mean, logScale: logScale))
    rows.append(.exact("bits for the nearest level = nats/ln 2", closedForm: DiscretizedDecoder.bitsPerDimension(nats: nats),
                       exact: -Foundation.log2(try mass(nearest)), relativeTolerance: 1e-12))
    return rows
}
