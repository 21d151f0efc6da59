import ArgumentParser
import CheckCore
import Foundation
import Notebook
import NotebookExport

extension LessonsCommand {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every check on its correct formula and on each of its mutations: a check that cannot fail proves nothing.",
            discussion: "Exit status 0 when every correct formula passed and every mutation was rejected, 1 otherwise.")

        @Option(help: "The seed of the checks' random streams.", transform: seedArgument)
        var seed: UInt64 = 1

        @Flag(help: "Print {\"checks\", \"mutations\", \"killed\", \"survived\": [ids], …} as JSON.")
        var json = false

        @OptionGroup var rng: GeneratorOptions

        @Option(help: "How many checks run at once (1…64; default: the machine's cores). The report is the same for any number.")
        var jobs = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64 (got \(jobs))") }
        }

        func run() throws {
            let terminal = Terminal.current
            let report = AuditReport(LessonLibrary.auditedChecks, seed: seed, generator: rng.generator, workers: jobs) { started, total, id in
                terminal.progress("audit [\(started + 1)/\(total)] \(id)")
            }
            terminal.clearProgress()
            if json {
                print(try JSONRenderer.encode(report))
            } else {
                for entry in report.entries {
                    let mutations = entry.mutations.sorted { $0.key < $1.key }
                        .map { "\($0.key) \($0.value ? "killed" : "SURVIVED")" }.joined(separator: ", ")
                    print("\(entry.truthPassed ? "✓" : "✗") \(entry.id): truth \(entry.truthPassed ? "passes" : "FAILS"); \(mutations)")
                }
                print("\(report.checks) checks, \(report.mutations) mutations, \(report.killed) killed"
                      + (report.survived.isEmpty ? "" : "; survived: \(report.survived.joined(separator: ", "))")
                      + (report.truthFailures.isEmpty ? "" : "; truth failed: \(report.truthFailures.joined(separator: ", "))"))
                if !rng.note.isEmpty { print(rng.note) }
            }
            if !report.clean { throw ExitCode(1) }
        }
    }

    struct FalseAlarms: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "false-alarms",
            abstract: "Rerun every check's correct formula over many seeds and count failing rows against the claimed rate.",
            discussion: """
                Each Monte-Carlo row claims a false-alarm probability of 2Φ(−5) ≈ 5.7·10⁻⁷ (and KS rows p < 5.7·10⁻⁷ \
                likewise); over R rows about R·5.7·10⁻⁷ failures are expected — zero in practice. Slow: every check \
                runs once per seed. Exit status 1 if any row failed.
                """)

        @Option(help: "How many seeds (1…10000).")
        var seeds = 50

        @OptionGroup var rng: GeneratorOptions

        func validate() throws {
            guard (1...10_000).contains(seeds) else { throw ValidationError("--seeds must be between 1 and 10000 (got \(seeds))") }
        }

        func run() throws {
            let terminal = Terminal.current
            var rows = 0, failures: [String] = []
            for seed in 1...UInt64(seeds) {
                for definition in LessonLibrary.auditedChecks {
                    terminal.progress("seed \(seed)/\(seeds) \(definition.id)")
                    do {
                        let result = try definition.run(seed: seed, generator: rng.generator)
                        rows += result.count
                        failures += result.filter { !$0.pass }.map { "\(definition.id) seed \(seed): \($0.quantity)" }
                    } catch {
                        failures.append("\(definition.id) seed \(seed): \(error)")
                    }
                }
            }
            terminal.clearProgress()
            let expected = Double(rows) * Verdict.pValueBound
            print("\(seeds) seeds × \(LessonLibrary.auditedChecks.count) checks: \(rows) rows, \(failures.count) failed "
                  + "(expected at most about \(shortNumber(expected)) by the |z| ≤ 5 bound; exact rows should never fail)")
            for failure in failures { print("  ✗ " + failure) }
            if !rng.note.isEmpty { print(rng.note) }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
