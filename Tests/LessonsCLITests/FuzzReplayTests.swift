import Foundation
import LessonFuzzing
import LessonsCLI
import Testing
import Verification

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

    @Test("500 generated safetensors inputs: each decodes to consistent data or throws a SafetensorsError naming the file")
    func safetensorsReplay() {
        let fuzzer = SafetensorsFuzzer()
        let findings = fuzzer.run(count: 500, seed: 7)
        #expect(findings.isEmpty, "\(findings.prefix(3))")
        // The generator really mutates, and its inputs reach past the header length into the
        // JSON and the tensor entries (not all rejected by the first check).
        let unchanged = (0..<100).filter { fuzzer.corpus.contains(fuzzer.input($0, seed: 7)) }.count
        #expect(unchanged < 10)
        let outcomes = fuzzer.outcomes(count: 500, seed: 7)
        #expect(outcomes.count >= 8, "\(outcomes)")
        #expect((outcomes["headerLengthBeyondFile"] ?? 0) < 250, "\(outcomes)")
    }

    @Test("500 generated IDX inputs (some through gzip): each decodes consistently or throws the predicted IDXError")
    func idxReplay() {
        let fuzzer = IDXFuzzer()
        let findings = fuzzer.run(count: 500, seed: 7)
        #expect(findings.isEmpty, "\(findings.prefix(3))")
        // The generator really mutates, and its inputs reach every check of the reader, the
        // acceptance of new shapes, and the gzip path.
        let unchanged = (0..<100).filter { fuzzer.corpus.map(IDXFuzzer.Input.bytes).contains(fuzzer.input($0, seed: 7)) }.count
        #expect(unchanged < 10)
        let outcomes = fuzzer.outcomes(count: 500, seed: 7)
        for name in ["accepted", "truncatedHeader", "wrongMagic", "unsupportedType", "invalidDimensionCount", "sizeOverflow", "dataTooShort", "dataTooLong"] {
            #expect((outcomes[name] ?? 0) > 0, "\(name) never reached: \(outcomes)")
        }
        #expect(outcomes.keys.contains { $0.hasPrefix("gzip ") }, "\(outcomes)")
    }

    @Test("500 generated traces: each is read and verified to the end, or refused with a TraceError")
    func traceReplay() throws {
        // The seeds are valid traces of every step rule and every formula record.
        let seeds = TraceFuzzer.seedCorpus()
        #expect(seeds.count == 7)
        for seed in seeds { _ = try TraceReader.read(Data(seed.utf8)) }
        let fuzzer = TraceFuzzer()
        let findings = fuzzer.run(count: 500, seed: 7)
        #expect(findings.isEmpty, "\(findings.prefix(3))")
        // The generator really mutates, its inputs reach the field checks (not only the JSON
        // parser), and some are accepted and verified.
        let unchanged = (0..<100).filter { fuzzer.corpus.contains(fuzzer.input($0, seed: 7)) }.count
        #expect(unchanged < 10)
        let outcomes = fuzzer.outcomes(count: 500, seed: 7)
        #expect(outcomes.count >= 5, "\(outcomes)")
        #expect((outcomes["accepted"] ?? 0) >= 10 && (outcomes["records"] ?? 0) >= 50, "\(outcomes)")
        #expect((outcomes["file"] ?? 0) < 250, "\(outcomes)")
    }
}
