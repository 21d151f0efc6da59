import CheckCore
import ForwardProcess
import ForwardProcessChecks
import Testing

@Suite("Forward-process checks: the module's own audit, and every truth on a second seed")
struct ForwardCheckTests {
    static let quick: [String: ParameterValue] = ["samples": .integer(50_000)]

    func run(_ id: String, seed: UInt64, mutation: String? = nil, overriding: [String: ParameterValue] = [:]) throws -> [CheckRow] {
        let check = try #require(CheckRegistry(ForwardChecks.all)[id])
        var parameters = overriding
        if check.parameters.contains(where: { $0.name == "samples" }) && parameters["samples"] == nil {
            parameters["samples"] = Self.quick["samples"]
        }
        return try check.run(seed: seed, mutation: mutation, overriding: parameters)
    }

    /// The module's own audit, as `lessons audit` runs it for these checks: on seed 1 every
    /// correct formula passes with at least one row, and every mutation is rejected.
    @Test("the module's audit: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(ForwardChecks.all)
        #expect(report.checks == ForwardChecks.all.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("every check passes on its correct formula on seed 2 (seed 1: the audit)", arguments: ForwardChecks.all.map(\.id), [UInt64(2)])
    func truthPasses(id: String, seed: UInt64) throws {
        let rows = try run(id, seed: seed)
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("the chain matches the closed form for every schedule, including t = T", arguments: NoiseSchedule.names)
    func chainEverySchedule(name: String) throws {
        let rows = try run("forward.closed-form", seed: 3, overriding: [
            "schedule": .text(name), "t": .integers([1, 50, 999, 1000]), "samples": .integer(40_000),
        ])
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(name): \(row)") }
    }

    @Test("signal leak: slope √ᾱ_T under every schedule, 0 after the zero-SNR rescale", arguments: NoiseSchedule.names)
    func signalLeak(name: String) throws {
        let rows = try run("forward.signal-leak", seed: 4, overriding: ["schedule": .text(name), "samples": .integer(20_000)])
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(name): \(row)") }
    }
}
