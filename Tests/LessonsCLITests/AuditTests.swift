import CheckCore
import LessonsCLI
import Notebook
import Testing

@Suite("The mutation audit")
struct AuditTests {
    /// The audit of every registered check, computed once per test process and shared by
    /// the tests below (it takes about a minute).
    static let report = AuditReport(LessonLibrary.auditedChecks)

    /// Every registered check, on its correct formula and on each mutation: at least 30
    /// mutations, every one rejected, every truth passing. `lessons audit` prints the same.
    @Test("≥ 30 mutations across the lessons, 100 % killed, every truth passes")
    func audit() {
        let report = Self.report
        #expect(report.mutations >= 30, "only \(report.mutations) mutations")
        #expect(report.survived.isEmpty, "survived: \(report.survived)")
        #expect(report.truthFailures.isEmpty, "truth failed: \(report.truthFailures)")
        #expect(report.killed == report.mutations)
        #expect(LessonLibrary.allChecks.allSatisfy { !$0.mutations.isEmpty }, "a check without a mutation")
    }

    /// The README states the audit's counts in `lessons audit`'s own words.
    @Test("README.md states today's counts of checks, mutations and killed mutations")
    func readmeCounts() throws {
        let sentence = try #require(try Readme.text().firstMatch(of: #/(\d+) checks,\s+(\d+) mutations,\s+(\d+) killed/#),
                                    "README.md no longer states the audit's counts")
        let stated = [Int(sentence.output.1), Int(sentence.output.2), Int(sentence.output.3)]
        #expect(stated == [Self.report.checks, Self.report.mutations, Self.report.killed],
                "README.md says \(sentence.output.0); lessons audit finds \(Self.report.checks) checks, \(Self.report.mutations) mutations, \(Self.report.killed) killed")
    }

    @Test("a check that cannot fail is reported as surviving")
    func survivorReported() {
        let blind = CheckDefinition(id: "demo.blind", title: "always passes", parameters: [],
                                    mutations: [Mutation("anything", "any wrong formula")]) { _ in
            [.holds("nothing", value: 0, rule: "always", pass: true)]
        }
        let report = AuditReport([blind])
        #expect(report.survived == ["demo.blind/anything"])
        #expect(!report.clean)
    }
}
