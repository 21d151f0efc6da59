// Property-based fuzzing of the lesson format: `fuzz [RUNS] [SEED]` (defaults 20000, 1).
// Seed corpus: every Lessons/*.md of the checkout. Exit 0 when no input broke the property,
// 1 when some did (they are printed), and a crash exits through the signal, which the
// script `scripts/fuzz` reports as a failure.
// `fuzz safetensors [RUNS] [SEED]` (same defaults) fuzzes the safetensors reader instead,
// from valid encodings built in code (SafetensorsFuzzer.seedCorpus), with the same exit codes;
// `fuzz idx [RUNS] [SEED]` the IDX reader of Fashion-MNIST and its gzip path (IDXFuzzer);
// `fuzz trace [RUNS] [SEED]` the trace reader and the verifier of `lessons verify` (TraceFuzzer).
import Foundation
import LessonFuzzing
import LessonsCLI

switch CommandLine.arguments.dropFirst().first {
case "safetensors": fuzzSafetensors(CommandLine.arguments.dropFirst(2))
case "idx": fuzzIDX(CommandLine.arguments.dropFirst(2))
case "trace": fuzzTrace(CommandLine.arguments.dropFirst(2))
default: break
}

let arguments = CommandLine.arguments.dropFirst()
let runs = arguments.first.flatMap { Int($0) } ?? 20_000
let seed = arguments.dropFirst().first.flatMap { UInt64($0) } ?? 1
do {
    let library = try LessonLibrary.locate(explicit: nil)
    let corpus = try library.names().map { try library.text($0) }
    let fuzzer = LessonFuzzer(corpus: corpus, registry: library.registry, figures: library.runner.figures)
    let findings = runReporting(fuzzer, name: "lesson parser fuzz", seedFiles: corpus.count, runs: runs, seed: seed)
    for finding in findings.prefix(20) { print("  ✗ \(finding)") }
    exit(findings.isEmpty ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("fuzz: \(error)\n".utf8))
    exit(2)
}

/// `fuzz safetensors [RUNS] [SEED]`: decode generated inputs, print the figures, the outcome
/// of the inputs by error case (which checks they reach) and the findings; exit 0 or 1.
func fuzzSafetensors(_ arguments: ArraySlice<String>) -> Never {
    let fuzzer = SafetensorsFuzzer()
    let (runs, seed) = runsAndSeed(arguments)
    let findings = runReporting(fuzzer, name: "safetensors reader fuzz", seedFiles: fuzzer.corpus.count, runs: runs, seed: seed)
    exit(printOutcomes(fuzzer.outcomes(count: runs, seed: seed), findings: findings.map(\.description)))
}

/// `fuzz idx [RUNS] [SEED]`: the same for the IDX reader and its gzip path.
func fuzzIDX(_ arguments: ArraySlice<String>) -> Never {
    let fuzzer = IDXFuzzer()
    let (runs, seed) = runsAndSeed(arguments)
    let findings = runReporting(fuzzer, name: "IDX reader fuzz", seedFiles: fuzzer.corpus.count, runs: runs, seed: seed)
    exit(printOutcomes(fuzzer.outcomes(count: runs, seed: seed), findings: findings.map(\.description)))
}

/// `fuzz trace [RUNS] [SEED]`: the same for the trace reader and the verifier behind it.
func fuzzTrace(_ arguments: ArraySlice<String>) -> Never {
    let fuzzer = TraceFuzzer()
    let (runs, seed) = runsAndSeed(arguments)
    let findings = runReporting(fuzzer, name: "trace reader fuzz", seedFiles: fuzzer.corpus.count, runs: runs, seed: seed)
    exit(printOutcomes(fuzzer.outcomes(count: runs, seed: seed), findings: findings.map(\.description)))
}

/// RUNS and SEED of a reader mode (defaults 20000 and 1).
func runsAndSeed(_ arguments: ArraySlice<String>) -> (runs: Int, seed: UInt64) {
    (arguments.first.flatMap { Int($0) } ?? 20_000, arguments.dropFirst().first.flatMap { UInt64($0) } ?? 1)
}

/// Prints the outcomes by count and the first 20 findings; returns the exit status (0 or 1).
func printOutcomes(_ outcomes: [String: Int], findings: [String]) -> Int32 {
    let sorted = outcomes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
    print("  outcomes: " + sorted.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    for finding in findings.prefix(20) { print("  ✗ \(finding)") }
    return findings.isEmpty ? 0 : 1
}

/// Runs `runs` inputs of `fuzzer` with progress on stderr and prints the one-line summary
/// (inputs, seed files, seed, time, findings); exits 2 when RUNS is negative.
func runReporting<F: PropertyFuzzer>(_ fuzzer: F, name: String, seedFiles: Int, runs: Int, seed: UInt64) -> [F.Finding] {
    guard runs >= 0 else {
        FileHandle.standardError.write(Data("fuzz: RUNS must be a count ≥ 0, not \(runs)\n".utf8))
        exit(2)
    }
    let start = Date()
    let findings = fuzzer.run(count: runs, seed: seed) { done in
        FileHandle.standardError.write(Data("\r\(done)/\(runs)".utf8))
    }
    FileHandle.standardError.write(Data("\r".utf8))
    print("\(name): \(runs) inputs from \(seedFiles) seed files, seed \(seed), "
          + String(format: "%.1f s", Date().timeIntervalSince(start)) + ": \(findings.count) findings")
    return findings
}
