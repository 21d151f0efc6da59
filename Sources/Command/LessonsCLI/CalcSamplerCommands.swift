import ArgumentParser
import CheckCore
import ELBO
import ForwardProcess
import Notebook
import NotebookExport
import Posterior
import ScoreODE

extension ClassifierFreeGuidance.Convention: ExpressibleByArgument {}

/// The step t of a schedule (1…T), validated against it.
private func checkStep(_ t: Int, _ options: ScheduleOptions, name: String = "--t", from low: Int = 1) throws {
    guard (low...options.steps).contains(t) else { throw ValidationError("\(name) must lie in \(low)…\(options.steps) (got \(t))") }
}

extension LessonsCommand.Calc {
    struct DDIMStepCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ddim-step",
            abstract: "One DDIM step (Song et al. 2021, eq. 12 and 16) from t to s < t: x̂₀, σ(η), the direction coefficient, xₛ.",
            discussion: "Steps count t = 1…T as in the lessons (diffusers' τ = t − 1); --s 0 is the clean end (ᾱ = 1).")

        @OptionGroup var scheduleOptions: ScheduleOptions
        @Option(name: .customLong("t"), help: "The step t (1…T).") var t: Int
        @Option(name: .customLong("s"), help: "The step moved to, 0…t − 1 (default t − 1).") var s: Int?
        @Option(name: .customLong("xt"), parsing: .unconditional, help: "xₜ.") var xt: Double
        @Option(name: .customLong("eps"), parsing: .unconditional, help: "The predicted ε̂.") var epsilon: Double
        @Option(parsing: .unconditional, help: "η (0: deterministic DDIM, 1: DDPM's variance).") var eta = 0.0
        @Option(name: .customLong("z"), parsing: .unconditional, help: "The standard normal draw (used when η > 0).") var z = 0.0
        @Flag(help: "Print {\"x0\", \"sigma\", \"direction\", \"prev\", \"alphaBar\", \"alphaBarPrevious\"} as JSON.") var json = false

        func validate() throws {
            try requireFinite(["--xt": xt, "--eps": epsilon, "--z": z])
            guard eta >= 0, eta.isFinite else { throw ValidationError("--eta must be a finite number ≥ 0 (got \(eta))") }
            try checkStep(t, scheduleOptions)
            if let s { guard (0..<t).contains(s) else { throw ValidationError("--s must lie in 0…\(t - 1) (got \(s))") } }
        }

        func run() throws {
            let schedule = try scheduleOptions.make()
            let previous = s ?? t - 1
            let (alphaBar, alphaBarPrevious) = (schedule.alphaBar(t), schedule.alphaBar(previous))
            guard alphaBar > 0 else { throw ValidationError("ᾱₜ = 0 at t = \(t): x̂₀ from ε divides by √ᾱₜ") }
            let step = DDIMStep(
                alphaBarPrevious: alphaBarPrevious, oneMinusAlphaBar: schedule.oneMinusAlphaBar(t),
                oneMinusAlphaBarPrevious: schedule.oneMinusAlphaBar(previous),
                beta: 1 - alphaBar / alphaBarPrevious, eta: eta)
            let x0 = Parameterization(schedule, t: t).x0(fromEpsilon: epsilon, xt: xt)
            try emit([
                "x0": x0, "sigma": step.sigma, "direction": step.direction, "prev": step.apply(x0: x0, epsilon: epsilon, z: z),
                "alphaBar": alphaBar, "alphaBarPrevious": alphaBarPrevious,
            ], json: json)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A prediction at step t in every form: x̂₀, ε̂, v̂ and the score −ε̂/√(1 − ᾱₜ) (DDPM eq. 15; Salimans & Ho 2022).")

        enum Form: String, CaseIterable, ExpressibleByArgument {
            case epsilon, sample
            case vPrediction = "v_prediction"
        }

        @OptionGroup var scheduleOptions: ScheduleOptions
        @Option(name: .customLong("t"), help: "The step t (1…T).") var t: Int
        @Option(help: "What --value is: \(Form.allCases.map(\.rawValue).joined(separator: ", ")).") var from: Form
        @Option(parsing: .unconditional, help: "The prediction.") var value: Double
        @Option(name: .customLong("xt"), parsing: .unconditional, help: "xₜ.") var xt: Double
        @Flag(help: "Print {\"x0\", \"epsilon\", \"v\", \"score\"} as JSON.") var json = false

        func validate() throws {
            try requireFinite(["--value": value, "--xt": xt])
            try checkStep(t, scheduleOptions)
        }

        func run() throws {
            let schedule = try scheduleOptions.make()
            let c = Parameterization(schedule, t: t)
            if from != .sample, c.signal == 0 { throw ValidationError("ᾱₜ = 0 at t = \(t): x̂₀ is not determined by \(from.rawValue) there") }
            let (x0, epsilon): (Double, Double)
            switch from {
            case .epsilon: (x0, epsilon) = (c.x0(fromEpsilon: value, xt: xt), value)
            case .sample: (x0, epsilon) = (value, c.epsilon(fromX0: value, xt: xt))
            case .vPrediction: (x0, epsilon) = (c.x0(fromV: value, xt: xt), c.epsilon(fromV: value, xt: xt))
            }
            try emit([
                "x0": x0, "epsilon": epsilon, "v": c.v(x0: x0, epsilon: epsilon),
                "score": SigmaSpace.score(epsilon: epsilon, noise: c.noise),
            ], json: json)
        }
    }

    struct Weight: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Loss weights at step t: SNR, min-SNR-γ for ε, x₀ and v (Hang et al. 2023), and the bound's λ of L_{t−1} for each (DDPM eq. 12).")

        @OptionGroup var scheduleOptions: ScheduleOptions
        @Option(name: .customLong("t"), help: "The step t (2…T for the bound with β̃; 1…T otherwise).") var t: Int
        @Option(parsing: .unconditional, help: "γ of min-SNR-γ (default 5).") var gamma = 5.0
        @Flag(name: .customLong("large-variance"), help: "The bound with σ² = βₜ (fixed_large) instead of β̃ₜ.") var large = false
        @Flag(help: "Print the weights as JSON.") var json = false

        func validate() throws {
            guard gamma > 0, gamma.isFinite else { throw ValidationError("--gamma must be a positive finite number (got \(gamma))") }
            try checkStep(t, scheduleOptions)
        }

        func run() throws {
            let schedule = try scheduleOptions.make()
            let c = Parameterization(schedule, t: t)
            let snr = MinSNRWeight.snr(signal: c.signal, noise: c.noise)
            var values = ["snr": snr]
            for target in MinSNRWeight.Target.allCases {
                values["minSNR_\(target.rawValue)"] = MinSNRWeight.weight(snr: snr, gamma: gamma, target: target)
            }
            let sigma2 = large ? schedule.beta(t) : try ForwardPosterior(schedule, t: t).variance
            if sigma2 > 0 {
                let lambda = epsilonWeight(beta: schedule.beta(t), alpha: schedule.alpha(t), oneMinusAlphaBar: schedule.oneMinusAlphaBar(t), sigma2: sigma2)
                values["vlb_epsilon"] = lambda
                values["vlb_x0"] = x0Weight(epsilonWeight: lambda, alphaBar: schedule.alphaBar(t))
                values["vlb_v"] = vWeight(epsilonWeight: lambda, alphaBar: schedule.alphaBar(t))
            } else if !json {
                print("# the bound's λ is undefined at t = \(t) with σ² = β̃ = 0 (L₀ is the decoder's term); use --large-variance or t ≥ 2")
            }
            try emit(values, json: json)
        }
    }

    struct CFG: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cfg",
            abstract: "Classifier-free guidance of one prediction (Ho & Salimans 2022), optionally with guidance rescale (Lin et al. 2024, §3.4).",
            discussion: "--uncond and --cond take one number or a comma-separated list (one batch item); the rescale uses the list's standard deviations.")

        @Option(parsing: .unconditional, help: "ε_∅, the unconditional prediction (a number or a comma-separated list).") var uncond: String
        @Option(parsing: .unconditional, help: "ε_c, the conditional prediction (same length).") var cond: String
        @Option(parsing: .unconditional, help: "The guidance scale w.") var scale: Double
        @Option(help: "diffusers (ε_∅ + w(ε_c − ε_∅)) or ho_salimans ((1 + w)ε_c − wε_∅).") var convention = ClassifierFreeGuidance.Convention.diffusers
        @Option(parsing: .unconditional, help: "φ of guidance rescale, 0…1 (default 0: none).") var rescale = 0.0
        @Flag(help: "Print {\"guided\": [...], \"rescaled\": [...]} as JSON.") var json = false

        static func numbers(_ text: String, name: String) throws -> [Double] {
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0?.isFinite == true }) else {
                throw ValidationError("\(name) must be a finite number or a comma-separated list of them (got \"\(text)\")")
            }
            return values.map { $0! }
        }

        func validate() throws {
            let (u, c) = (try Self.numbers(uncond, name: "--uncond"), try Self.numbers(cond, name: "--cond"))
            guard u.count == c.count else { throw ValidationError("--uncond has \(u.count) values and --cond \(c.count): they must match") }
            try requireFinite(["--scale": scale])
            guard (0...1).contains(rescale) else { throw ValidationError("--rescale must lie in 0…1 (got \(rescale))") }
            if rescale > 0, u.count < 2 { throw ValidationError("--rescale needs at least 2 values in --uncond and --cond (it compares standard deviations)") }
        }

        func run() throws {
            let (u, c) = (try Self.numbers(uncond, name: "--uncond"), try Self.numbers(cond, name: "--cond"))
            let guided = zip(u, c).map { ClassifierFreeGuidance.combine(unconditional: $0, conditional: $1, scale: scale, convention: convention) }
            let rescaled = rescale > 0 ? ClassifierFreeGuidance.rescale(guided: guided, conditional: c, phi: rescale) : guided
            if json {
                print(try JSONRenderer.encode(["guided": guided, "rescaled": rescaled]))
                return
            }
            print("guided\t" + guided.map(full).joined(separator: ","))
            if rescale > 0 { print("rescaled\t" + rescaled.map(full).joined(separator: ",")) }
        }
    }
}
