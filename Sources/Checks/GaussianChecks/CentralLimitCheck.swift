import CheckCore
import CheckKit
import Gaussian
import Stochastic

/// (Σ Uᵢ − n/2)/√(n/12) → N(0, 1), and how fast.
let centralLimitCheck = CheckDefinition(
    id: "gaussian.clt",
    title: "Standardized sums of n uniforms: their exact law, and its distance from N(0,1) shrinking with n",
    parameters: [
        ParameterSpec("n", .integers(1...64), default: .integers([1, 2, 4, 8, 16, 32]), help: "numbers of uniforms summed, increasing"),
        .samples(default: 500_000),
    ],
    mutations: [Mutation("variance-one-sixth", "standardized with Var U = 1/6 instead of 1/12")],
    run: centralLimitRows
)

@Sendable
func centralLimitRows(_ context: CheckContext) throws -> [CheckRow] {
    let counts = context.parameters.integers("n")
    guard counts == counts.sorted(), Set(counts).count == counts.count else {
        throw CheckFailure("n must be strictly increasing (got \(counts))")
    }
    let uniformVariance = context.mutated("variance-one-sixth") ? 1.0 / 6 : 1.0 / 12
    var stream = context.randomStream
    var rows: [CheckRow] = []
    var previous: (n: Int, distance: Double)?
    for n in counts {
        let sample = draws(context.samples, &stream) { s in
            CentralLimit.standardizedSum(n, &s, uniformVariance: uniformVariance)
        }
        rows.append(.distribution("Zₙ, n=\(n) vs exact Irwin–Hall law", samples: sample) { z in CentralLimit.exactCDF(n, z) })
        let distance = CentralLimit.distanceFromNormal(n)
        if let previous {
            // At least the Berry–Esseen rate 1/√n: D shrinks by √(n/n′) or faster.
            let bound = previous.distance * (Double(previous.n) / Double(n)).squareRoot()
            rows.append(.holds("Dₙ = sup|Fₙ − Φ| at n=\(n)", value: distance,
                               rule: "≤ \(shortNumber(bound)) (1/√n)", pass: distance <= bound))
        } else {
            rows.append(.holds("Dₙ = sup|Fₙ − Φ| at n=\(n)", value: distance, rule: "< 1", pass: distance < 1))
        }
        previous = (n, distance)
    }
    return rows
}
