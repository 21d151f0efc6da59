import CheckCore
import ForwardProcess
import Testing
import ToyDiffusion
import ToyDiffusionChecks

@Suite("The toy-diffusion checks")
struct ToyChecksTests {
    /// The checks this suite also runs on other seeds and over parameter sets (the audit covers them all).
    static let ids = ["toy.optimal-denoiser", "toy.metric-floor", "toy.langevin"]

    func check(_ id: String) throws -> CheckDefinition {
        try #require(CheckRegistry(ToyChecks.all)[id])
    }

    /// The module's own audit, as `lessons audit` runs it for these checks: on seed 1 every
    /// correct formula passes with at least one row, and every mutation is rejected — every
    /// toy check, the committed model's included.
    @Test("the module's audit: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(ToyChecks.all)
        #expect(report.checks == ToyChecks.all.count && report.checks == 8 && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("the truth passes on other seeds", arguments: ToyChecksTests.ids, [UInt64(2), 3])
    func otherSeeds(id: String, seed: UInt64) throws {
        let rows = try check(id).run(seed: seed)
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(id) seed \(seed): \(row)") }
    }

    @Test("ids are toy.*, each check has mutations, and every Monte-Carlo row states n, stderr and z")
    func shape() throws {
        let all = ToyChecks.all.map(\.id)
        #expect(Set(Self.ids).isSubset(of: all))
        #expect(all.allSatisfy { $0.hasPrefix("toy.") } && Set(all).count == all.count)
        for definition in try Self.ids.map(check) {
            #expect(!definition.mutations.isEmpty)
            let checkedRows = try definition.run()
            #expect(!checkedRows.isEmpty, "no rows")
            for row in checkedRows where row.z != nil {
                let mc = try #require(row.monteCarlo)
                #expect(mc.n > 0 && mc.stderr > 0, "\(definition.id): \(row.quantity)")
            }
        }
    }

    @Test("the optimal denoiser holds for every schedule, at t = 1 and T included", arguments: NoiseSchedule.names)
    func everySchedule(schedule: String) throws {
        let rows = try check("toy.optimal-denoiser").run(overriding: [
            "schedule": .text(schedule), "t": .integers([1, 500, 1000]), "samples": .integer(100_000),
        ])
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(schedule): \(row)") }
    }

    @Test("the metric floor holds for every data set", arguments: ToyDataset.allCases.map(\.rawValue))
    func everyDataset(dataset: String) throws {
        let checkedRows = try check("toy.metric-floor").run(overriding: ["dataset": .text(dataset)])
        #expect(!checkedRows.isEmpty, "no rows")
        for row in checkedRows {
            #expect(row.pass, "\(dataset): \(row)")
        }
    }

    @Test("bad cell parameters are errors that say what is accepted")
    func badParameters() throws {
        #expect(throws: (any Error).self) { try check("toy.optimal-denoiser").run(overriding: ["weights": .reals([1, 2, 3])]) }
        #expect(throws: (any Error).self) { try check("toy.optimal-denoiser").run(overriding: ["t": .integers([1001])]) }
        #expect(throws: (any Error).self) { try check("toy.metric-floor").run(overriding: ["shift": .reals([1, 2, 3])]) }
        #expect(throws: (any Error).self) { try check("toy.metric-floor").run(overriding: ["dataset": .text("spiral")]) }
    }
}
