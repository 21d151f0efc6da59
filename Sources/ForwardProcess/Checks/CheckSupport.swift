import Notebook
import Stochastic

extension ParameterSpec {
    /// A schedule by name, e.g. "linear" or "scaled-linear+zero-snr".
    static func schedule(default name: String) -> ParameterSpec {
        ParameterSpec("schedule", .choice(NoiseSchedule.names), default: .text(name), help: "noise schedule")
    }

    /// The number of steps T.
    static func steps(default t: Int = 1000) -> ParameterSpec {
        ParameterSpec("T", .integer(2...100_000), default: .integer(t), help: "number of steps T")
    }
}

extension CheckContext {
    /// The schedule the cell names, with its T.
    var schedule: NoiseSchedule {
        get throws { try NoiseSchedule.named(parameters.text("schedule"), steps: parameters.integer("T")) }
    }

    var randomStream: RandomStream { RandomStream(seed: seed, stream: stream) }

    /// Timesteps from the `t` list, checked against T.
    func timesteps(_ schedule: NoiseSchedule) throws -> [Int] {
        let ts = parameters.integers("t")
        if let bad = ts.first(where: { $0 > schedule.steps }) {
            throw CheckFailure("t = \(bad) is beyond T = \(schedule.steps)")
        }
        return ts
    }
}
