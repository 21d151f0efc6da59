import CheckCore
import ELBO
import ELBOChecks
import ForwardProcess
import Gaussian
import Posterior
import Testing

@Suite("ELBO checks: the module's own audit, and every truth on a second seed")
struct ELBOCheckTests {
    func run(_ id: String, seed: UInt64 = 1, mutation: String? = nil, _ overriding: [String: ParameterValue] = [:]) throws -> [CheckRow] {
        let check = try #require(CheckRegistry(ELBOChecks.all)[id])
        return try check.run(seed: seed, mutation: mutation, overriding: overriding)
    }

    /// The module's own audit, as `lessons audit` runs it for these checks: on seed 1 every
    /// correct formula passes with at least one row, and every mutation is rejected.
    @Test("the module's audit: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(ELBOChecks.all)
        #expect(report.checks == ELBOChecks.all.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("every check passes on its correct formula on seed 2 (seed 1: the audit)", arguments: ELBOChecks.all.map(\.id), [UInt64(2)])
    func truthPasses(id: String, seed: UInt64) throws {
        let rows = try run(id, seed: seed)
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("closed-form terms = sampled trajectories, and the gap ≥ 0, over schedules, T, variances and data",
          arguments: [("cosine", 5, "small"), ("cosine", 50, "large"), ("linear", 20, "small"), ("sigmoid", 10, "large")],
                     [(0.3, 0.25, 0.8), (-1.0, 2.0, -2.5)])
    func boundAndGap(configuration: (String, Int, String), data: (Double, Double, Double)) throws {
        let parameters: [String: ParameterValue] = [
            "schedule": .text(configuration.0), "T": .integer(configuration.1), "reverseVariance": .text(configuration.2),
            "dataMean": .real(data.0), "dataVariance": .real(data.1), "x0": .real(data.2), "samples": .integer(100_000),
        ]
        for id in ["elbo.bound", "elbo.gap"] {
            let checkedRows = try run(id, seed: 5, parameters)
            #expect(!checkedRows.isEmpty, "no rows")
            for row in checkedRows { #expect(row.pass, "\(id) \(configuration) \(data): \(row)") }
        }
    }
}

@Suite("The exactly solvable model")
struct SolvableModelTests {
    @Test("ELBO ≤ log p_θ(x₀) at T = 1000 for both variance choices and a point mass", arguments: ReverseVariance.allCases)
    func jensen(variance: ReverseVariance) throws {
        let schedule = try NoiseSchedule.linear()
        for data in [Gaussian(mean: 0.3, variance: 0.25), Gaussian(mean: 0, variance: 1), Gaussian(mean: 0.5, variance: 0)] {
            let model = try ReverseModel(schedule: schedule, data: data, variance: variance)
            for x0 in [-1.0, 0.5, 0.9] {
                let bound = try VariationalBound(model: model, x0: x0)
                #expect(bound.elbo <= model.logLikelihood(x0), "\(data) x0=\(x0)")
                #expect(bound.terms.count == 1001)
                #expect(bound.denoising.count == 999 && bound.denoising.allSatisfy { $0 >= 0 } && bound.prior >= 0)
            }
        }
    }

    @Test("a zero-SNR schedule is refused (αₜ = 0 at the end), with a clear error")
    func zeroSNR() throws {
        let schedule = try NoiseSchedule.named("linear+zero-snr")
        #expect(throws: PosteriorError.self) { _ = try ReverseModel(schedule: schedule, data: .standard, variance: .small) }
    }

    @Test("the discretized decoder refuses values outside [−1, 1]")
    func decoderRange() {
        #expect(throws: DecoderError.self) { _ = try DiscretizedDecoder.logLikelihood(1.5, mean: 0, logScale: 0) }
    }
}
