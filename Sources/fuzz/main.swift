// Property-based fuzzing of the lesson format: `fuzz [RUNS] [SEED]` (defaults 20000, 1).
// Seed corpus: every Lessons/*.md of the checkout. Exit 0 when no input broke the property,
// 1 when some did (they are printed), and a crash exits through the signal, which the
// script `scripts/fuzz` reports as a failure.
import Foundation
import LessonFuzzing
import LessonsCLI

let arguments = CommandLine.arguments.dropFirst()
let runs = arguments.first.flatMap { Int($0) } ?? 20_000
let seed = arguments.dropFirst().first.flatMap { UInt64($0) } ?? 1
do {
    let library = try LessonLibrary.locate(explicit: nil)
    let corpus = try library.names().map { try library.text($0) }
    let fuzzer = LessonFuzzer(corpus: corpus, registry: library.registry, figures: library.runner.figures)
    let start = Date()
    let findings = fuzzer.run(count: runs, seed: seed) { done in
        FileHandle.standardError.write(Data("\r\(done)/\(runs)".utf8))
    }
    FileHandle.standardError.write(Data("\r".utf8))
    print("lesson parser fuzz: \(runs) inputs from \(corpus.count) seed files, seed \(seed), "
          + String(format: "%.1f s", Date().timeIntervalSince(start)) + ": \(findings.count) findings")
    for finding in findings.prefix(20) { print("  ✗ \(finding)") }
    exit(findings.isEmpty ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("fuzz: \(error)\n".utf8))
    exit(2)
}
