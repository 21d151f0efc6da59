import Notebook
import ScoreODEChecks
import Testing

@Suite("Score/ODE checks: every truth passes, every mutation is rejected (the module's own audit)")
struct ScoreODECheckTests {
    @Test("every check passes on its correct formula", arguments: ScoreODEChecks.all.map(\.id), [UInt64(1), 2])
    func truthPasses(id: String, seed: UInt64) throws {
        let check = try #require(CheckRegistry(ScoreODEChecks.all)[id])
        let rows = try check.run(seed: seed)
        #expect(!rows.isEmpty, "\(id) returned no rows")
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("every mutation makes its check fail", arguments: ScoreODEChecks.all.flatMap { check in check.mutations.map { (check.id, $0.id) } })
    func mutationKilled(id: String, mutation: String) throws {
        let check = try #require(CheckRegistry(ScoreODEChecks.all)[id])
        let rows = try check.run(seed: 1, mutation: mutation)
        #expect(!rows.isEmpty)
        #expect(rows.contains { !$0.pass }, "\(id)/\(mutation) survived")
    }

    @Test("each check has at least two mutations")
    func twoMutationsEach() {
        #expect(ScoreODEChecks.all.count == 7)
        for check in ScoreODEChecks.all { #expect(check.mutations.count >= 2, "\(check.id)") }
    }
}
