import ArgumentParser
import Foundation
import Verification

extension LessonsCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check someone else's diffusion code: recompute every value of a trace file and name the mistakes.",
            discussion: """
                A trace (docs/trace-format.md) records what a scheduler computed with every input it \
                used; `pip install ./python` gives `difftrace.record(scheduler, "trace.json")` to write \
                one. Each recorded value is recomputed from the project's math in Double and compared \
                within the rounding its dtype allows for that formula; a mismatch is matched against \
                the catalogue of known mistakes. Exit status 0 when everything passed, 1 when a value \
                failed, 4 when the trace cannot be read (what and where is printed), 64 for a usage error.
                """)

        @Argument(help: "The trace file (JSON, format difftrace version 1).")
        var trace: String?

        @Option(help: "A diffusers scheduler_config.json: used instead of the trace's own config, or, without a trace, read and described (its schedule's terminal signal, the timesteps it visits).")
        var config: String?

        @Option(help: "Without a trace: the number of inference steps to describe the spacing with (1…T).")
        var steps = 50

        func validate() throws {
            guard trace != nil || config != nil else {
                throw ValidationError("give a trace file, or --config scheduler_config.json to describe a configuration")
            }
            guard steps >= 1 else { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        }

        @Flag(help: "Print {\"passed\", \"failed\", \"findings\": [{\"quantity\", \"t\", \"expected\", \"got\", \"relativeError\", \"tolerance\", \"pass\", \"diagnoses\"}], …} as JSON.")
        var json = false

        func run() throws {
            var loaded: Trace
            var file = trace ?? config ?? ""
            do {
                if let trace {
                    loaded = try TraceReader.read(contentsOf: URL(fileURLWithPath: trace))
                } else {
                    var ignored: [String] = []
                    let read = try TraceReader.readConfigFile(contentsOf: URL(fileURLWithPath: file), ignored: &ignored)
                    loaded = Trace(precision: .float64, scheduler: nil, config: read, ignoredConfigKeys: ignored, records: [])
                }
                if trace != nil, let config {
                    file = config
                    loaded.config = try TraceReader.readConfigFile(contentsOf: URL(fileURLWithPath: config), ignored: &loaded.ignoredConfigKeys)
                }
            } catch let error as TraceError {
                Terminal.printError("\(file): \(error)")
                throw ExitCode(4)
            }
            if trace == nil, steps > loaded.config.trainSteps {
                Terminal.printError("--steps must lie in 1…\(loaded.config.trainSteps) for this configuration (got \(steps))")
                throw ExitCode(64)
            }
            let report = trace == nil ? Verification.Verify.describe(loaded.config, ignored: loaded.ignoredConfigKeys, steps: steps)
                : Verification.Verify.run(loaded)
            if json {
                try Terminal.printJSON(report)
            } else {
                print(VerifyTable(report: report, file: file, width: Terminal.current.width).text)
            }
            if report.failed > 0 { throw ExitCode(1) }
        }
    }
}

/// The report for people: one line per finding, the diagnoses under a failing one.
struct VerifyTable {
    let report: VerificationReport
    let file: String
    let width: Int

    static func format(_ x: Double?) -> String {
        guard let x else { return "—" }
        return x.isFinite ? String(format: "%.10g", x) : (x.isNaN ? "nan" : x > 0 ? "inf" : "-inf")
    }

    static func short(_ x: Double?) -> String {
        guard let x else { return "—" }
        return x.isFinite ? String(format: "%.1e", x) : format(x)
    }

    var text: String {
        var lines: [String] = []
        let producer = ["library", "class"].compactMap { report.producer[$0] }.joined(separator: " ")
        let source = [producer, report.precision].filter { !$0.isEmpty }.joined(separator: ", ")
        lines.append(source.isEmpty ? file : "\(file): \(source)")
        lines.append("config: \(report.config)")
        for finding in report.findings {
            let where_ = finding.t.map { "τ=\($0)" } ?? ""
            let element = finding.index.map { finding.quantity.hasPrefix("step") ? "[\($0)]" : "" } ?? ""
            let detail: String
            if finding.pass {
                detail = "closest: rel \(Self.short(finding.relativeError)) ≤ \(Self.short(finding.tolerance))"
            } else {
                detail = "expected \(Self.format(finding.expected)), got \(Self.format(finding.got)) (rel \(Self.short(finding.relativeError)) > \(Self.short(finding.tolerance)))"
            }
            let quantity = finding.quantity.padding(toLength: 26, withPad: " ", startingAt: 0)
            lines.append("\(finding.pass ? "✓" : "✗") \(quantity) \((where_ + element).padding(toLength: 12, withPad: " ", startingAt: 0)) \(finding.checked) values, \(detail)")
            if !finding.pass {
                lines.append("    reference: \(finding.reference)")
                if finding.diagnoses.isEmpty {
                    lines.append("    no known mistake reproduces these numbers")
                }
                for diagnosis in finding.diagnoses {
                    lines.append("    → \(diagnosis.id): \(diagnosis.explanation)")
                }
            }
        }
        for note in report.notes { lines.append("note: \(note)") }
        lines.append("\(report.passed) passed, \(report.failed) failed")
        return lines.joined(separator: "\n")
    }
}
