import CheckCore
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
