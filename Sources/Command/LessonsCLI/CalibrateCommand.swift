import ArgumentParser
import CheckCore
import Foundation
import NotebookExport
import Stochastic

extension LessonsCommand {
    /// `lessons calibrate`: do the stated standard errors hold? (`CalibrationReport`)
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun every check's correct formula over many seeds and test its z-scores against N(0, 1) and its p-values against U(0, 1).",
            discussion: """
                Per check and pooled: Kolmogorov–Smirnov of the z-scores against Φ, their variance against 1 (a \
                standard error scaled by f shows as var(z) = 1/f²), and Kolmogorov–Smirnov of the KS rows' p-values \
                against U(0, 1), each at the rows' own level (p ≥ 5.7e-7, |z| ≤ 5). --plant-stderr F multiplies every \
                stated standard error by F to show that the report catches it. Exit status 0 when every check and the \
                pool are calibrated, 1 otherwise.
                """)

        @Argument(help: "Check ids or families (e.g. gaussian.sum, score); default: every audited check.")
        var checks: [String] = []

        @Option(help: "How many seeds (2…10000).")
        var seeds = 20

        @Option(help: "Replace every Monte-Carlo sample size (500…100000000), e.g. the smallest allowed, 500.")
        var samples: Int?

        @Option(name: .customLong("plant-stderr"), help: "Multiply every stated standard error by this factor (0.1…10) to see the report catch it.")
        var stderrFactor: Double = 1

        @Flag(help: "Print the report as JSON.")
        var json = false

        @OptionGroup var rng: GeneratorOptions

        func validate() throws {
            guard (2...10_000).contains(seeds) else { throw ValidationError("--seeds must be between 2 and 10000 (got \(seeds))") }
            try LessonExecution.validate(samples: samples)
            guard stderrFactor.isFinite, (0.1...10).contains(stderrFactor) else {
                throw ValidationError("--plant-stderr must be a factor between 0.1 and 10 (got \(stderrFactor))")
            }
        }

        /// The audited checks named by `checks` (an id, or a family: the part before the dot).
        func chosen() throws -> [CheckDefinition] {
            let all = LessonLibrary.auditedChecks
            guard !checks.isEmpty else { return all }
            var picked: [CheckDefinition] = []
            for name in checks {
                let matches = all.filter { $0.id == name || $0.id.hasPrefix(name + ".") }
                guard !matches.isEmpty else {
                    let families = Set(all.map { String($0.id.split(separator: ".")[0]) }).sorted()
                    throw ValidationError("unknown check or family '\(name)' (families: \(families.joined(separator: ", ")); `lessons checks` lists the ids)")
                }
                picked += matches.filter { match in !picked.contains { $0.id == match.id } }
            }
            return picked
        }

        func run() throws {
            let definitions = try chosen()
            let terminal = Terminal.current
            let report = CalibrationReport(definitions, seeds: seeds, generator: rng.generator, samples: samples,
                                           stderrFactor: stderrFactor) { done, total, id in
                terminal.progress("calibrate [\(done + 1)/\(total)] \(id)")
            }
            terminal.clearProgress()
            if json {
                print(try JSONRenderer.encode(report))
            } else {
                print(Self.text(report))
            }
            if !report.calibrated { throw ExitCode(1) }
        }

        static func text(_ report: CalibrationReport) -> String {
            var lines = ["Calibration of the correct formulas over seeds 1…\(report.seeds): \(report.generator.summary)"
                         + (report.samples.map { ", \($0) samples per Monte-Carlo check" } ?? "")
                         + (report.stderrFactor == 1 ? "" : "; PLANTED: every standard error × \(shortNumber(report.stderrFactor))")]
            func number(_ x: Double?, _ format: String) -> String { x.map { String(format: format, $0) } ?? "–" }
            func line(_ name: String, _ s: CalibrationReport.Statistics, verdict: String) -> String {
                name.padding(toLength: 32, withPad: " ", startingAt: 0)
                    + String(format: "%6d ", s.zCount) + number(s.meanZ, "%+6.2f").leftPadded(7) + " "
                    + (s.varianceZ.map { String(format: "%5.2f ± %4.2f", $0, s.varianceZStderr ?? 0) } ?? "–").leftPadded(12) + " "
                    + number(s.zKSPValue, "%7.3g").leftPadded(8) + String(format: " %5d ", s.pCount)
                    + number(s.pKSPValue, "%7.3g").leftPadded(8) + "  " + verdict
            }
            lines.append("check".padding(toLength: 32, withPad: " ", startingAt: 0) + "     z  mean z       var z   KS p(z)      p   KS p(p)  verdict")
            for entry in report.entries {
                let verdict = entry.calibrated ? "✓" : "✗ " + (entry.statistics.problems + entry.failures).joined(separator: "; ")
                lines.append(line(entry.id, entry.statistics, verdict: verdict))
            }
            let overall = report.overall
            lines.append(line("all \(report.entries.count) checks, pooled", overall,
                              verdict: overall.calibrated ? "✓" : "✗ " + overall.problems.joined(separator: "; ")))
            let expected = Double(overall.zCount) * Verdict.pValueBound
            lines.append("|z| > 5: \(overall.beyondBound) of \(overall.zCount) z-scores (about \(shortNumber(expected)) expected); "
                         + "non-finite z: \(overall.nonFinite)")
            if let power = overall.powerAtResolution, let tenth = overall.failuresAtTenth {
                lines.append(String(format: "closed form off by each row's stated resolution: %.4f of rows fail (need ≥ 0.99); off by a tenth of it: %.4f fail (need ≤ 0.01)", power, tenth))
            }
            lines.append(report.calibrated
                         ? "calibrated: every check's z-scores follow N(0, 1) and its p-values U(0, 1)"
                         : "MIS-CALIBRATED: " + (report.miscalibrated + (overall.calibrated ? [] : ["the pool"])).joined(separator: ", "))
            return lines.joined(separator: "\n")
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
