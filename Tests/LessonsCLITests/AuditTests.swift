import LessonsCLI
import Notebook
import Testing

@Suite("The mutation audit")
struct AuditTests {
    /// Every registered check, on its correct formula and on each mutation: at least 30
    /// mutations, every one rejected, every truth passing. `lessons audit` prints the same.
    @Test("≥ 30 mutations across the lessons, 100 % killed, every truth passes")
    func audit() {
        let report = AuditReport(LessonLibrary.auditedChecks)
        #expect(report.mutations >= 30, "only \(report.mutations) mutations")
        #expect(report.survived.isEmpty, "survived: \(report.survived)")
        #expect(report.truthFailures.isEmpty, "truth failed: \(report.truthFailures)")
        #expect(report.killed == report.mutations)
        #expect(LessonLibrary.allChecks.allSatisfy { !$0.mutations.isEmpty }, "a check without a mutation")
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
