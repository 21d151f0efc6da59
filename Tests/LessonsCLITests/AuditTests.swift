import CheckCore
import Claims
import ELBOChecks
import FlowMatchingChecks
import ForwardProcessChecks
import GaussianChecks
import LatentDiffusionChecks
import LessonsCLI
import NotebookExport
import PosteriorChecks
import ScoreODEChecks
import Testing
import ToyDiffusionChecks

@Suite("The mutation audit")
struct AuditTests {
    /// The registries whose audit runs in their own module's tests (`AuditReport(…)` over
    /// each: every truth passes on seed 1, every mutation is killed), by test target.
    /// `lessons audit` runs their union; so together they are the whole audit, run once.
    static let moduleAudits: [(testTarget: String, checks: [CheckDefinition])] = [
        ("GaussianTests", GaussianChecks.all), ("ForwardProcessTests", ForwardChecks.all),
        ("PosteriorTests", PosteriorChecks.all), ("ScoreODETests", ScoreODEChecks.all),
        ("FlowMatchingTests", FlowMatchingChecks.all), ("ELBOTests", ELBOChecks.all),
        ("ToyDiffusionTests", ToyChecks.all), ("LatentDiffusionTests", LatentChecks.all),
        ("ClaimsTests", ClaimChecks.own),
    ]

    /// A check added to `lessons audit` without a module audit would go unaudited in the
    /// tests: the audited checks must be exactly those of the module audits, each once.
    @Test("every check `lessons audit` runs is audited by its module's tests; ≥ 30 mutations; every check has one")
    func everyCheckHasAModuleAudit() {
        let audited = LessonLibrary.auditedChecks.map(\.id)
        let covered = Self.moduleAudits.flatMap { $0.checks.map(\.id) }
        #expect(!audited.isEmpty && audited.sorted() == covered.sorted())
        #expect(Set(audited).count == audited.count, "a check registered twice")
        #expect(LessonLibrary.auditedChecks.map(\.mutations.count).reduce(0, +) >= 30)
        #expect(LessonLibrary.allChecks.allSatisfy { !$0.mutations.isEmpty }, "a check without a mutation")
    }

    /// The README states the audit's counts in `lessons audit`'s own words. Every mutation is
    /// killed (the module audits above prove it), so "killed" equals "mutations".
    @Test("README.md states today's counts of checks, mutations and killed mutations")
    func readmeCounts() throws {
        let sentence = try #require(try Readme.text().firstMatch(of: #/(\d+) checks,\s+(\d+) mutations,\s+(\d+) killed/#),
                                    "README.md no longer states the audit's counts")
        let stated = [Int(sentence.output.1), Int(sentence.output.2), Int(sentence.output.3)]
        let checks = LessonLibrary.auditedChecks.count
        let mutations = LessonLibrary.auditedChecks.map(\.mutations.count).reduce(0, +)
        #expect(stated == [checks, mutations, mutations],
                "README.md says \(sentence.output.0); lessons audit has \(checks) checks, \(mutations) mutations, all killed")
    }

    /// A parameter name means one thing across the lessons: wherever a check declares it, its
    /// values are of one family — integers (a step t, a count), numbers (a variance σ², a
    /// time in [0, 1]) or a choice — so `variance: 4` in one cell and `variance: large` in
    /// another cannot both happen. (A list is the same family as its elements: `mean` is one
    /// number for a Gaussian and a list for a diagonal one.)
    @Test("each parameter name has one family of values (integers, numbers or a choice) across every check")
    func parameterNamesAreTyped() {
        func family(_ kind: ParameterKind) -> String {
            switch kind {
            case .integer, .integers: return "integer"
            case .real, .reals: return "number"
            case .choice: return "choice"
            }
        }
        var families: [String: Set<String>] = [:]
        for check in LessonLibrary.allChecks {
            for parameter in check.parameters { families[parameter.name, default: []].insert(family(parameter.kind)) }
        }
        #expect(families.count > 20, "the checks declare \(families.count) parameter names")
        for (name, found) in families.sorted(by: { $0.key < $1.key }) {
            #expect(found.count == 1, "parameter '\(name)' is \(found.sorted().joined(separator: " in one check and ")) in another")
        }
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

    @Test("the report is the same on one worker and on three, in the checks' order")
    func workersDoNotChangeTheReport() throws {
        let blind = CheckDefinition(id: "demo.blind", title: "always passes", parameters: [],
                                    mutations: [Mutation("anything", "any wrong formula")]) { _ in
            [.holds("nothing", value: 0, rule: "always", pass: true)]
        }
        let definitions = Array(GaussianChecks.all.prefix(2)) + [blind] + Array(ForwardChecks.all.prefix(2))
        let one = AuditReport(definitions, seed: 3, workers: 1), three = AuditReport(definitions, seed: 3, workers: 3)
        #expect(one.entries.map(\.id) == definitions.map(\.id) && three.entries.map(\.id) == definitions.map(\.id))
        #expect(try JSONRenderer.encode(one) == JSONRenderer.encode(three))
        #expect(three.survived == ["demo.blind/anything"], "a survivor is still found with several workers")
    }

    @Test("audit --jobs outside 1…64 is a usage error naming the range")
    func jobsOutOfRange() throws {
        let result = try Invocation(["audit", "--jobs", "0"])
        #expect(result.status == 64 && result.stderr.contains("1 and 64"), "\(result.stderr)")
    }
}
