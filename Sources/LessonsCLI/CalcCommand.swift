import ArgumentParser
import ForwardProcess
import Foundation
import Notebook

extension LessonsCommand {
    struct Calc: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the numbers of a formula in full precision, to check your own implementation.",
            subcommands: [Schedule.self])
    }
}

extension ScheduleKind: ExpressibleByArgument {}

extension LessonsCommand.Calc {
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "βₜ, αₜ and ᾱₜ of a noise schedule (index i ↔ t = i + 1), every value to full Double precision.")

        @Option(help: "The schedule: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var schedule: ScheduleKind

        @Option(name: .customLong("T"), help: "The number of steps T (1…1000000).")
        var steps = 1000

        @Option(name: .customLong("beta-start"), help: "β₁ (linear, scaled-linear, sigmoid; default 1e-4, or 0.00085 for scaled-linear).")
        var betaStart: Double?

        @Option(name: .customLong("beta-end"), help: "β_T (default 0.02, or 0.012 for scaled-linear).")
        var betaEnd: Double?

        @Flag(name: .customLong("zero-terminal-snr"), help: "Rescale to zero terminal SNR (Lin et al., Algorithm 1).")
        var zeroTerminalSNR = false

        @Flag(help: "Print {\"T\", \"beta\", \"alpha\", \"alphaBar\"} as JSON.")
        var json = false

        func validate() throws {
            guard (1...1_000_000).contains(steps) else { throw ValidationError("--T must be between 1 and 1000000 (got \(steps))") }
            for (name, value) in [("--beta-start", betaStart), ("--beta-end", betaEnd)] {
                if let value, !(value > 0 && value < 1) {
                    throw ValidationError("\(name) must lie strictly between 0 and 1 (got \(value))")
                }
            }
        }

        func run() throws {
            let result: NoiseSchedule
            do {
                let base = try NoiseSchedule.make(schedule, steps: steps, start: betaStart, end: betaEnd)
                result = zeroTerminalSNR ? try base.rescaledToZeroTerminalSNR() : base
            } catch let error as ScheduleError {
                throw ValidationError(error.description)
            }
            if json {
                print(try JSONRenderer.encode(ScheduleValues(result)))
                return
            }
            print("# \(result.name), T = \(result.steps); every value %.17g")
            print(["t", "beta", "alpha", "alphaBar", "sqrtAlphaBar", "sqrtOneMinusAlphaBar", "logSNR"].joined(separator: "\t"))
            for t in 1...result.steps {
                let values = [result.beta(t), result.alpha(t), result.alphaBar(t), result.sqrtAlphaBar(t),
                              result.sqrtOneMinusAlphaBar(t), result.logSNR(t)]
                print(([String(t)] + values.map { String(format: "%.17g", $0) }).joined(separator: "\t"))
            }
        }
    }
}

/// The JSON of `calc schedule`: index i holds step t = i + 1.
struct ScheduleValues: Encodable {
    let schedule: String
    let T: Int
    let beta: [Double]
    let alpha: [Double]
    let alphaBar: [Double]

    init(_ schedule: NoiseSchedule) {
        self.schedule = schedule.name
        T = schedule.steps
        beta = schedule.beta
        alpha = schedule.alpha
        alphaBar = schedule.alphaBar
    }
}
