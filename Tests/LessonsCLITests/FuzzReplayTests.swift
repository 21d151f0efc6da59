import LessonFuzzing
import LessonsCLI
import Testing

@Suite("Fuzzing the lesson format (a short deterministic replay of scripts/fuzz)")
struct FuzzReplayTests {
    @Test("300 generated inputs: every one parses and binds, or fails with a LessonError naming a line")
    func replay() throws {
        let library = LessonLibrary(directory: Invocation.repository.appendingPathComponent("Lessons"))
        let corpus = try library.names().map { try library.text($0) }
        let fuzzer = LessonFuzzer(corpus: corpus, registry: library.registry, figures: library.runner.figures)
        let findings = fuzzer.run(count: 300, seed: 7)
        #expect(findings.isEmpty, "\(findings.prefix(3))")
        // The generator really mutates: most inputs differ from every seed file.
        let unchanged = (0..<100).filter { corpus.contains(fuzzer.input($0, seed: 7)) }.count
        #expect(unchanged < 5)
    }
}
