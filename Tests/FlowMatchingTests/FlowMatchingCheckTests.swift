import CheckCore
import FlowMatching
import FlowMatchingChecks
import Testing

@Suite("Flow-matching checks: the module's own audit (every truth passes on seeds 1 and 2, every mutation is rejected)")
struct FlowMatchingCheckTests {
    @Test("every check passes on its correct formula on seed 2 (seed 1: the audit)", arguments: FlowMatchingChecks.all.map(\.id), [UInt64(2)])
    func truthPasses(id: String, seed: UInt64) throws {
        let check = try #require(CheckRegistry(FlowMatchingChecks.all)[id])
        let rows = try check.run(seed: seed)
        #expect(!rows.isEmpty, "\(id) returned no rows")
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("the audit of the module's checks: every mutation killed")
    func audit() {
        let report = AuditReport(FlowMatchingChecks.all)
        #expect(report.checks == FlowMatchingChecks.all.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("each check has at least two mutations")
    func twoMutationsEach() {
        #expect(FlowMatchingChecks.all.count == 5)
        for check in FlowMatchingChecks.all { #expect(check.mutations.count >= 2, "\(check.id)") }
    }
}

@Suite("The linear path")
struct LinearPathTests {
    @Test("the velocity field carries N(0, 1) at t = 1 onto the data at t = 0 (exact transport of the marginals)")
    func transportMatchesMarginals() {
        let field = GaussianDataVelocity(data: .init(mean: 0.5, variance: 0.25))
        for (t0, t1) in [(1.0, 0.0), (0.9, 0.2), (0.5, 0.001)] {
            let (a, b) = (field.marginal(t0), field.marginal(t1))
            // x ↦ transport is affine: a point one standard deviation out stays one out.
            let moved = field.transport(a.mean + a.standardDeviation, from: t0, to: t1)
            #expect(abs(moved - (b.mean + b.standardDeviation)) <= 1e-12)
        }
        #expect(field.marginal(1).mean == 0 && field.marginal(1).variance == 1)
    }

    @Test("logit-normal density and CDF agree: the CDF's slope is the density")
    func densityIsSlope() {
        let law = LogitNormal(location: 0.3, scale: 0.8)
        for t in [0.05, 0.3, 0.5, 0.77, 0.95] {
            let h = 1e-6
            let slope = (law.cdf(t + h) - law.cdf(t - h)) / (2 * h)
            #expect(abs(slope - law.density(t)) <= 1e-7 * law.density(t), "t = \(t)")
        }
    }
}
