import CheckCore
import Foundation
import Testing

@testable import Claims

@Suite("The notes on trial")
struct ClaimsTests {
    /// The audit of the claims with evidence of their own, as `lessons audit` runs it: on
    /// seed 1 every truth passes with at least one row, and every mutation is rejected. (A
    /// wrapped claim runs its module's check, which that module's own audit covers.)
    @Test("the audit of the claims' own checks: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(ClaimChecks.own)
        #expect(report.checks == ClaimChecks.own.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("every claim check passes with its defaults on seed 2 (seed 1: the audits)", arguments: ClaimChecks.all.map(\.id), [UInt64(2)])
    func claimPasses(id: String, seed: UInt64) throws {
        let check = try #require(ClaimChecks.all.first { $0.id == id })
        let rows = try check.run(seed: seed)
        #expect(!rows.isEmpty)
        for row in rows where !row.pass { Issue.record("\(id) seed \(seed): \(row.quantity) failed") }
    }

    @Test("every claim has a notes.* id, a verdict, a source and a mutation; ids are unique; at least 45, every verdict used")
    func shape() {
        let ids = ClaimChecks.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.count >= 45)
        for check in ClaimChecks.all {
            #expect(check.id.hasPrefix("notes."), "\(check.id)")
            #expect(check.verdict != nil, "\(check.id) has no verdict")
            #expect(!check.sources.isEmpty, "\(check.id) has no source")
            #expect(!check.mutations.isEmpty, "\(check.id) has no mutation")
        }
        #expect(Set(ClaimChecks.all.compactMap(\.verdict)) == Set(ClaimVerdict.allCases))
    }

    /// ../shared/seeds beside the checkout (CI has it), found from this file's path.
    static let seeds = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/seeds")

    @Test("every source is FILE:LINES with FILE one of the five notes and LINES inside it (a range ascending)",
          .enabled(if: FileManager.default.fileExists(atPath: ClaimsTests.seeds.path)))
    func sources() throws {
        var lineCounts: [String: Int] = [:]
        for note in ["000_0c304a6a4b3ba8de.txt", "001_39d53c7fa810d895.txt", "002_653f28275cd47f58.txt", "003_1b3e1535dd5e719e.txt", "004_134fe5e4dcc45e76.txt"] {
            let text = try String(contentsOf: Self.seeds.appendingPathComponent(note), encoding: .utf8)
            lineCounts[note] = text.split(separator: "\n", omittingEmptySubsequences: false).count
        }
        let sources = ClaimChecks.all.flatMap(\.sources)
        #expect(sources.count >= ClaimChecks.all.count)
        for source in sources {
            let parts = source.split(separator: ":")
            let lines = parts.count == 2 ? parts[1].split(separator: "–").compactMap { Int($0) } : []
            guard parts.count == 2, let count = lineCounts[String(parts[0])], (1...2).contains(lines.count) else {
                Issue.record("\(source) is not NOTE:LINE or NOTE:FIRST–LAST")
                continue
            }
            #expect(lines.allSatisfy { (1...count).contains($0) } && lines == lines.sorted(), "\(source): beyond the \(count) lines of the file")
        }
    }

    @Test("logRuleRows: the true rule's rows pass and the written rule's gap shows; each kind of row can fail")
    func logRules() {
        let correct = { (a: Double, b: Double) in (Foundation.log(a * b), Foundation.log(a) + Foundation.log(b)) }
        let written = { (a: Double, b: Double) in (Foundation.log(a) * Foundation.log(b), Foundation.log(a + b)) }
        let rows = logRuleRows(correctName: "product", writtenName: "written", mutated: false, correct: correct, written: written)
        #expect(rows.count == 2 * logRulePoints.count && !logRulePoints.isEmpty)
        #expect(rows.allSatisfy { $0.pass })
        // The written rule taken as the identity fails the identity's rows.
        let mutated = logRuleRows(correctName: "product", writtenName: "written", mutated: true, correct: correct, written: written)
        #expect(mutated.filter { !$0.pass }.count == logRulePoints.count)
        // A "written" rule that is in fact true shows no gap: every gap row fails.
        let noGap = logRuleRows(correctName: "product", writtenName: "written", mutated: false, correct: correct, written: correct)
        #expect(noGap.filter { !$0.pass }.count == logRulePoints.count)
    }

    /// The 2×2 helpers of `notes.fid-2d`'s evidence (the distance itself is `Gaussian`'s
    /// `FrechetDistance`, tested in GaussianTests).
    @Test("the 2×2 matrix square root squares back, and the transport matrix A maps Σ₁ onto Σ₂ (A Σ₁ A = Σ₂)")
    func matrixRoot() {
        let m = Symmetric2(a: 2, b: -0.5, c: 0.5)
        let r = m.squareRoot
        #expect(abs(r.a * r.a + r.b * r.b - m.a) < 1e-12)
        #expect(abs(r.b * (r.a + r.c) - m.b) < 1e-12)
        #expect(abs(r.b * r.b + r.c * r.c - m.c) < 1e-12)
        let s1 = Symmetric2(a: 1, b: 0.8, c: 1)
        let pushed = transportMatrix(s1, m).sandwich(s1)
        #expect(abs(pushed.a - m.a) < 1e-12 && abs(pushed.b - m.b) < 1e-12 && abs(pushed.c - m.c) < 1e-12, "\(pushed)")
        #expect(m.rowMajor == [2, -0.5, -0.5, 0.5])
    }
}
