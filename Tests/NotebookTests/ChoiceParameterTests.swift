@testable import CheckCore
import Testing

@Suite("Choice parameters typed by an enumeration")
struct ChoiceParameterTests {
    enum Flavour: String, CaseIterable { case plain, salted = "with-salt" }
    enum Other: String { case plain }

    @Test("The spec lists the raw values in case order; the value reads back as its case")
    func roundTrip() throws {
        #expect(ParameterKind.choice(of: Flavour.self) == .choice(["plain", "with-salt"]))
        let parameters = CheckParameters(values: ["flavour": .text("with-salt")])
        #expect(try parameters.choice("flavour", as: Flavour.self) == .salted)
    }

    @Test("A value the enumeration lacks throws, naming the parameter and the value (no silent default)")
    func mismatch() {
        let parameters = CheckParameters(values: ["flavour": .text("with-salt")])
        #expect(throws: CheckFailure.self) { try parameters.choice("flavour", as: Other.self) }
        do {
            _ = try CheckParameters(values: [:]).choice("flavour", as: Flavour.self)
            Issue.record("an absent value read as a case")
        } catch {
            #expect("\(error)".contains("parameter flavour is ''"), "\(error)")
        }
    }
}

@Suite("Suggestions for an unknown check id")
struct NearestIDTests {
    static let registry = CheckRegistry(["gaussian.sum", "gaussian.kl", "gaussian.cdf", "score.pf-ode", "posterior.reverse-chain"].map { id in
        CheckDefinition(id: id, title: id, parameters: [], mutations: []) { _ in [] }
    })

    @Test("A typo gives the id it is a typo of; a prefix its completions; a nonsense name its family; else the listing")
    func suggestions() {
        #expect(Self.registry.nearest(to: "gausian.sum") == ["gaussian.sum"])
        #expect(Self.registry.nearest(to: "posterior.reverse") == ["posterior.reverse-chain"])
        #expect(Self.registry.nearest(to: "gaussian.nope") == ["gaussian.cdf", "gaussian.kl", "gaussian.sum"])
        #expect(Self.registry.nearest(to: "nothing.like.it").isEmpty)
        #expect(Self.registry.suggestion(for: "gausian.sum") == "did you mean gaussian.sum? (`lessons checks` lists all 5)")
        #expect(Self.registry.suggestion(for: "zzz") == "`lessons checks` lists all 5")
        #expect(CheckRegistry.editDistance("kitten", "sitting") == 3 && CheckRegistry.editDistance("", "abc") == 3)
    }
}
