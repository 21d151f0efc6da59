import Testing
@testable import LatentDiffusion

@Suite struct PromptTests {
    @Test func classNamesBecomeTokens() throws {
        #expect(Prompt.empty.tokens == [1, 0, 0, 0])
        let boot = try Prompt("Ankle Boot")
        #expect(boot.tokens.count == TextEncoder.length)
        #expect(boot.tokens[0] == 1 && boot.tokens[3] == 0)
        #expect(Prompt.vocabulary[boot.tokens[1]] == "ankle" && Prompt.vocabulary[boot.tokens[2]] == "boot")
        // "t-shirt/top" is two words; every class has its own token sequence.
        #expect(Prompt.forClass(0).tokens.filter { $0 > 1 }.count == 2)
        #expect(Set((0..<10).map { Prompt.forClass($0).tokens }).count == 10)
    }

    @Test func anUnknownWordListsTheKnownOnes() {
        #expect {
            _ = try Prompt("a red sneaker")
        } throws: { error in
            let text = (error as? PromptError)?.description ?? ""
            return text.contains("unknown word \"a\"") && text.contains("sneaker") && text.contains("ankle")
        }
    }

    @Test func tooManyWordsAreRefused() {
        #expect(throws: PromptError.self) { _ = try Prompt("bag bag bag bag") }
    }
}
