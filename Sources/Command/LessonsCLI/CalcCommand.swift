import ArgumentParser
import CheckCore
import ForwardProcess
import Foundation
import Notebook
import NotebookExport
import Posterior

extension LessonsCommand {
    struct Calc: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the numbers of a formula in full precision, to check your own implementation.",
            subcommands: [Schedule.self, Posterior.self, DDIMStepCommand.self, Convert.self, Weight.self, CFG.self, KL.self, DecoderNLL.self, VLB.self])
    }
}

extension ScheduleKind: ExpressibleByArgument {}

extension LessonsCommand.Calc {
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "βₜ, αₜ and ᾱₜ of a noise schedule (index i ↔ t = i + 1), every value to full Double precision.")

        @OptionGroup var scheduleOptions: ScheduleOptions

        @Flag(help: "Print {\"T\", \"beta\", \"alpha\", \"alphaBar\"} as JSON.")
        var json = false

        func run() throws {
            let result = try scheduleOptions.make()
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

/// The schedule options shared by the calc subcommands.
struct ScheduleOptions: ParsableArguments {
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

    func validate() throws {
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--T must be between 1 and 1000000 (got \(steps))") }
        for (name, value) in [("--beta-start", betaStart), ("--beta-end", betaEnd)] {
            if let value, !(value > 0 && value < 1) {
                throw ValidationError("\(name) must lie strictly between 0 and 1 (got \(value))")
            }
        }
    }

    /// The schedule asked for; a request the schedule code refuses becomes a usage error.
    func make() throws -> NoiseSchedule {
        do {
            let base = try NoiseSchedule.make(schedule, steps: steps, start: betaStart, end: betaEnd)
            return zeroTerminalSNR ? try base.rescaledToZeroTerminalSNR() : base
        } catch let error as ScheduleError {
            throw ValidationError(error.description)
        }
    }
}

extension LessonsCommand.Calc {
    struct Posterior: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "q(xₜ₋₁ | xₜ, x₀) at one step: mean, variance, clipped log-variance, coef1, coef2 (full precision).",
            discussion: "Give --x0, or --eps for the mean from ε (DDPM eq. 11), which also reports x₀ = (xₜ − √(1−ᾱₜ)ε)/√ᾱₜ.")

        @OptionGroup var scheduleOptions: ScheduleOptions

        @Option(name: .customLong("t"), help: "The step t (1…T).")
        var t: Int

        @Option(name: .customLong("x0"), parsing: .unconditional, help: "x₀.")
        var x0: Double?

        @Option(name: .customLong("eps"), parsing: .unconditional, help: "ε, instead of x₀.")
        var epsilon: Double?

        @Option(name: .customLong("xt"), parsing: .unconditional, help: "xₜ.")
        var xt: Double

        @Flag(help: "Print {\"mean\", \"variance\", \"logVarianceClipped\", \"coef1\", \"coef2\"} as JSON.")
        var json = false

        func validate() throws {
            guard (x0 == nil) != (epsilon == nil) else { throw ValidationError("give exactly one of --x0 and --eps") }
            for (name, value) in [("--x0", x0), ("--eps", epsilon), ("--xt", xt)] {
                if let value, !value.isFinite { throw ValidationError("\(name) must be a finite number (got \(value))") }
            }
            guard (1...scheduleOptions.steps).contains(t) else {
                throw ValidationError("--t must lie in 1…\(scheduleOptions.steps) (got \(t))")
            }
        }

        func run() throws {
            let schedule = try scheduleOptions.make()
            let result: PosteriorValues
            do {
                let posterior = try ForwardPosterior(schedule, t: t)
                if let epsilon {
                    let mean = try ForwardPosterior.meanFromEpsilon(schedule, t: t, xt: xt, epsilon: epsilon)
                    guard schedule.alphaBar(t) > 0 else { throw PosteriorError("x₀ from ε divides by √ᾱₜ, and ᾱₜ = 0 at t = \(t)") }
                    let x0 = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
                    result = PosteriorValues(posterior, mean: mean, x0: x0)
                } else {
                    result = PosteriorValues(posterior, mean: posterior.mean(x0: x0 ?? 0, xt: xt), x0: nil)
                }
            } catch let error as PosteriorError {
                throw ValidationError(error.description)
            }
            if json {
                print(try JSONRenderer.encode(result))
            } else {
                for (key, value) in result.lines { print(key + "\t" + String(format: "%.17g", value)) }
            }
        }
    }
}

/// The JSON of `calc posterior`.
struct PosteriorValues: Encodable {
    let t: Int
    let mean: Double
    let variance: Double
    let logVarianceClipped: Double
    let coef1: Double
    let coef2: Double
    /// x₀ recovered from ε, when ε was given.
    let x0: Double?

    init(_ posterior: ForwardPosterior, mean: Double, x0: Double?) {
        t = posterior.t
        self.mean = mean
        variance = posterior.variance
        logVarianceClipped = posterior.logVarianceClipped
        coef1 = posterior.coef1
        coef2 = posterior.coef2
        self.x0 = x0
    }

    var lines: [(String, Double)] {
        [("mean", mean), ("variance", variance), ("logVarianceClipped", logVarianceClipped), ("coef1", coef1), ("coef2", coef2)]
            + (x0.map { [("x0", $0)] } ?? [])
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
