import ArgumentParser
import CheckCore
import ELBO
import ForwardProcess
import Gaussian
import Notebook
import NotebookExport
import Posterior

extension LessonsCommand.Calc {
    struct KL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kl", abstract: "KL(N(mean1, var1) ‖ N(mean2, var2)) in nats, full precision.")

        @Option(parsing: .unconditional) var mean1: Double
        @Option(parsing: .unconditional) var var1: Double
        @Option(parsing: .unconditional) var mean2: Double
        @Option(parsing: .unconditional) var var2: Double
        @Flag(help: "Print {\"kl\": nats} as JSON.") var json = false

        func validate() throws {
            try requireFinite(["--mean1": mean1, "--mean2": mean2])
            for (name, value) in [("--var1", var1), ("--var2", var2)] where !(value > 0 && value.isFinite) {
                throw ValidationError("\(name) must be a positive finite variance (got \(value))")
            }
        }

        func run() throws {
            let kl = klDivergence(Gaussian(mean: mean1, variance: var1), Gaussian(mean: mean2, variance: var2))
            try emit(["kl": kl], json: json)
        }
    }

    struct DecoderNLL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decoder-nll",
            abstract: "−log P(x₀ | mean, σ = exp(log-scale)) of the discretized 8-bit decoder (DDPM §3.3), in nats.")

        @Option(name: .customLong("x0"), parsing: .unconditional, help: "A pixel value in [−1, 1] (taken to its 8-bit bin).") var x0: Double
        @Option(parsing: .unconditional) var mean: Double
        @Option(name: .customLong("log-scale"), parsing: .unconditional, help: "log σ.") var logScale: Double
        @Flag(help: "Print {\"nll\": nats} as JSON.") var json = false

        func validate() throws {
            try requireFinite(["--x0": x0, "--mean": mean, "--log-scale": logScale])
            guard (-1...1).contains(x0) else { throw ValidationError("--x0 must lie in [−1, 1] (got \(x0))") }
        }

        func run() throws {
            let logLikelihood = try DiscretizedDecoder.logLikelihood(x0, mean: mean, logScale: logScale)
            // `calc` promises full precision: a bin mass below the smallest normal Double (or 0)
            // has lost digits, so it is refused as a usage error (exit 64), not printed.
            guard logLikelihood >= DiscretizedDecoder.fullPrecisionLimit else {
                throw ValidationError("the bin's probability is below the smallest normal Double (≈ 2.2·10⁻³⁰⁸) at x₀ = \(x0), μ = \(mean), log σ = \(logScale): its logarithm cannot be given to full precision")
            }
            try emit(["nll": -logLikelihood], json: json)
        }
    }

    struct VLB: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vlb",
            abstract: "Every term of the bound for the exactly solvable model (data N(m, v), ε* exact): L_T, L_{T−1}, …, L₁, L₀, the ELBO and the exact log p_θ(x₀).")

        @OptionGroup var scheduleOptions: ScheduleOptions
        @Option(name: .customLong("data-mean"), parsing: .unconditional) var dataMean: Double
        @Option(name: .customLong("data-var")) var dataVariance: Double
        @Option(name: .customLong("x0"), parsing: .unconditional) var x0: Double
        @Option(help: "σₜ² for t ≥ 2: small (β̃ₜ) or large (βₜ); σ₁² = β̃₂ in both.") var variance: ReverseVariance = .small
        @Flag(help: "Print {\"terms\": […], \"elbo\": …, \"logLikelihood\": …} as JSON.") var json = false

        func validate() throws {
            try requireFinite(["--data-mean": dataMean, "--x0": x0])
            guard dataVariance >= 0, dataVariance.isFinite else { throw ValidationError("--data-var must be a finite variance ≥ 0 (got \(dataVariance))") }
            guard scheduleOptions.steps >= 2 else { throw ValidationError("--T must be at least 2 for the bound (σ₁² is β̃₂)") }
        }

        func run() throws {
            let schedule = try scheduleOptions.make()
            do {
                let model = try ReverseModel(schedule: schedule, data: Gaussian(mean: dataMean, variance: dataVariance),
                                             variance: variance)
                let bound = try VariationalBound(model: model, x0: x0)
                let values = VLBValues(terms: bound.terms, elbo: bound.elbo, logLikelihood: model.logLikelihood(x0))
                if json {
                    print(try JSONRenderer.encode(values))
                } else {
                    print("elbo\t" + full(values.elbo))
                    print("logLikelihood\t" + full(values.logLikelihood))
                    print("L_T\t" + full(bound.prior))
                    for (offset, term) in bound.denoising.enumerated().reversed() { print("L_\(offset + 1)\t" + full(term)) }
                    print("L_0\t" + full(bound.decoder))
                }
            } catch let error as PosteriorError {
                throw ValidationError(error.description)
            }
        }
    }
}

/// `--variance small|large`.
extension ReverseVariance: ExpressibleByArgument {}

/// The JSON of `calc vlb`: terms ordered L_T, L_{T−1}, …, L₁, L₀.
struct VLBValues: Encodable {
    let terms: [Double]
    let elbo: Double
    let logLikelihood: Double
}

func requireFinite(_ values: [String: Double]) throws {
    for (name, value) in values.sorted(by: { $0.key < $1.key }) where !value.isFinite {
        throw ValidationError("\(name) must be a finite number (got \(value))")
    }
}

func full(_ x: Double) -> String { String(format: "%.17g", x) }

/// A one-number result as JSON or as `key<TAB>value`.
func emit(_ values: [String: Double], json: Bool) throws {
    if json {
        print(try JSONRenderer.encode(values))
    } else {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { print(key + "\t" + full(value)) }
    }
}
