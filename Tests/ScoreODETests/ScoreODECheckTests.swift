import CheckCore
import ScoreODEChecks
import Testing

@Suite("Score/ODE checks: the module's own audit (every truth passes on seeds 1 and 2, every mutation is rejected)")
struct ScoreODECheckTests {
    @Test("every check passes on its correct formula on seed 2 (seed 1: the audit)", arguments: ScoreODEChecks.all.map(\.id), [UInt64(2)])
    func truthPasses(id: String, seed: UInt64) throws {
        let check = try #require(CheckRegistry(ScoreODEChecks.all)[id])
        let rows = try check.run(seed: seed)
        #expect(!rows.isEmpty, "\(id) returned no rows")
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("the audit of the module's checks: every mutation killed")
    func audit() {
        let report = AuditReport(ScoreODEChecks.all)
        #expect(report.checks == ScoreODEChecks.all.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("each check has at least two mutations")
    func twoMutationsEach() {
        #expect(ScoreODEChecks.all.count == 15)
        for check in ScoreODEChecks.all { #expect(check.mutations.count >= 2, "\(check.id)") }
    }
}
