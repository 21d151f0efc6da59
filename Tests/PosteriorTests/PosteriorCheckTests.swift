import CheckCore
import ForwardProcess
import Gaussian
import Posterior
import PosteriorChecks
import Testing

/// The four schedules whose every step has αₜ > 0 (the ε-form needs it).
let regularSchedules = ScheduleKind.allCases.map(\.rawValue)

@Suite("Posterior checks: the module's own audit, and every truth on a second seed")
struct PosteriorCheckTests {
    func run(_ id: String, seed: UInt64 = 1, mutation: String? = nil, _ overriding: [String: ParameterValue] = [:]) throws -> [CheckRow] {
        let check = try #require(CheckRegistry(PosteriorChecks.all)[id])
        return try check.run(seed: seed, mutation: mutation, overriding: overriding)
    }

    /// The module's own audit, as `lessons audit` runs it for these checks: on seed 1 every
    /// correct formula passes with at least one row, and every mutation is rejected.
    @Test("the module's audit: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(PosteriorChecks.all)
        #expect(report.checks == PosteriorChecks.all.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("every check passes on its correct formula on seed 2 (seed 1: the audit)", arguments: PosteriorChecks.all.map(\.id), [UInt64(2)])
    func truthPasses(id: String, seed: UInt64) throws {
        let rows = try run(id, seed: seed)
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("exact checks hold for every schedule at t = 2, 3, T−1, T", arguments: NoiseSchedule.names,
          ["posterior.bayes", "posterior.quadrature", "posterior.parameterizations", "posterior.variance-choice"])
    func everySchedule(schedule: String, id: String) throws {
        let checkedRows = try run(id, ["schedule": .text(schedule), "t": .integers([2, 3, 999, 1000])])
        #expect(!checkedRows.isEmpty, "no rows")
        for row in checkedRows {
            #expect(row.pass, "\(schedule) \(id): \(row)")
        }
    }

    @Test("the ε-form and the samplers hold at t = 1, 2, T for the schedules with αₜ > 0", arguments: regularSchedules)
    func epsilonForm(schedule: String) throws {
        let checkedRows = try run("posterior.eps-form", ["schedule": .text(schedule), "t": .integers([1, 2, 1000])])
        #expect(!checkedRows.isEmpty, "no rows")
        for row in checkedRows {
            #expect(row.pass, "\(schedule): \(row)")
        }
        let samplerRows = try run("posterior.samplers", ["schedule": .text(schedule), "t": .integers([2, 1000])])
        #expect(!samplerRows.isEmpty, "no rows")
        for row in samplerRows {
            #expect(row.pass, "\(schedule): \(row)")
        }
    }

    @Test("the regression recovers the posterior at t = 2 and T", arguments: regularSchedules)
    func regression(schedule: String) throws {
        let checkedRows = try run("posterior.regression", seed: 3, ["schedule": .text(schedule), "t": .integers([2, 1000]), "samples": .integer(200_000)])
        #expect(!checkedRows.isEmpty, "no rows")
        for row in checkedRows {
            #expect(row.pass, "\(schedule): \(row)")
        }
    }

    @Test("the true reverse chain reproduces the data for several data laws and T",
          arguments: [(0.5, 0.09, 1000), (-1.0, 1.0, 1000), (2.0, 0.01, 50), (0.0, 4.0, 10)])
    func reverseChain(mean: Double, variance: Double, steps: Int) throws {
        let rows = try run("posterior.reverse-chain", seed: 4, ["mean": .real(mean), "variance": .real(variance),
                                                                 "T": .integer(steps), "samples": .integer(40_000)])
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(row)") }
    }
}

@Suite("Posterior closed forms")
struct PosteriorClosedFormTests {
    @Test("t = 1: coef1 = 1 and coef2 = 0 to the last bit of 1 − ᾱ₁, β̃₁ = 0", arguments: regularSchedules)
    func firstStep(name: String) throws {
        let schedule = try NoiseSchedule.named(name)
        let p = try ForwardPosterior(schedule, t: 1)
        #expect(abs(p.coef1 - 1) < 4e-16 && p.coef2 == 0 && p.variance == 0)
        #expect(p.logVarianceClipped == (try ForwardPosterior(schedule, t: 2)).logVarianceClipped)
    }

    @Test("t outside 1…T is an error")
    func outOfRange() throws {
        let schedule = try NoiseSchedule.linear(steps: 10)
        #expect(throws: PosteriorError.self) { _ = try ForwardPosterior(schedule, t: 0) }
        #expect(throws: PosteriorError.self) { _ = try ForwardPosterior(schedule, t: 11) }
    }

    @Test("DDIM's σ(η = 1) over one step is √β̃ₜ; σ(0) = 0")
    func ddimSigma() throws {
        let schedule = try NoiseSchedule.cosine()
        for t in [2, 50, 700, 999] {
            let sigma = ReverseStep.ddimSigma(schedule, t: t, previous: t - 1, eta: 1)
            let expected = try ForwardPosterior(schedule, t: t).variance.squareRoot()
            #expect(abs(sigma - expected) / expected < 1e-13, "t=\(t)")
            #expect(ReverseStep.ddimSigma(schedule, t: t, previous: t - 1, eta: 0) == 0)
        }
    }

    @Test("1 − ᾱₜ keeps full precision at t = 1 (β₁ = 10⁻⁴ exactly)")
    func oneMinusAlphaBar() throws {
        let schedule = try NoiseSchedule.linear()
        #expect(abs(schedule.oneMinusAlphaBar(1) - 1e-4) / 1e-4 < 4e-16)
        #expect(abs((1 - schedule.alphaBar(1)) - 1e-4) / 1e-4 > 1e-14)  // the subtraction would not
    }

    @Test("The affine forms of the ancestral and DDIM steps equal the steps themselves")
    func affineSteps() throws {
        let schedule = try NoiseSchedule.linear()
        for t in [2, 10, 500, 1000] {
            for variance in ReverseVariance.allCases {
                let map = try ReverseStep.ancestralMap(schedule, t: t, variance: variance)
                let direct = try ReverseStep.ancestral(schedule, t: t, xt: 0.7, epsilon: -1.3, variance: variance, z: 0.4)
                #expect(abs(map.apply(xt: 0.7, epsilon: -1.3, z: 0.4) - direct) < 1e-13 * max(1, abs(direct)), "t=\(t)")
            }
            for eta in [0.0, 0.5, 1.0] {
                let previous = max(t - 37, 0)
                let map = ReverseStep.ddimMap(schedule, t: t, previous: previous, eta: eta)
                let direct = ReverseStep.ddim(schedule, t: t, previous: previous, xt: 0.7, epsilon: -1.3, eta: eta, z: 0.4)
                #expect(abs(map.apply(xt: 0.7, epsilon: -1.3, z: 0.4) - direct) < 1e-13 * max(1, abs(direct)), "t=\(t) η=\(eta)")
            }
        }
    }
}
