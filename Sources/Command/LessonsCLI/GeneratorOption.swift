import ArgumentParser
import Stochastic

extension RandomGenerator: ExpressibleByArgument {}

/// `--rng`: the generator every draw of the checks comes from, for the commands whose
/// verdicts must not depend on one generator (run, audit, false-alarms, calibrate).
struct GeneratorOptions: ParsableArguments {
    @Option(name: .customLong("rng"), help: ArgumentHelp(
        "The random generator of every draw: xoshiro (default, fastest), mt19937 or ranlxd2 (GSL's, through gsl_ran_gaussian_ziggurat).",
        valueName: "generator"))
    var generator: RandomGenerator = .xoshiro

    /// A line saying which generator drew, for text output; empty for the default.
    var note: String { generator == .xoshiro ? "" : "draws: \(generator.summary)" }
}
