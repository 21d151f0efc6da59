import CheckCore
import ForwardProcess
import Gaussian

extension ParameterSpec {
    /// A schedule by name, e.g. "linear" or "scaled-linear+zero-snr".
    public static func schedule(default name: String = "linear") -> ParameterSpec {
        ParameterSpec("schedule", .choice(NoiseSchedule.names), default: .text(name), help: "noise schedule")
    }

    /// The number of steps T.
    public static func steps(default t: Int = 1000) -> ParameterSpec {
        ParameterSpec("T", .integer(2...100_000), default: .integer(t), help: "number of steps T")
    }

    /// A list of timesteps t.
    public static func timesteps(_ ts: [Int]) -> ParameterSpec {
        ParameterSpec("t", .integers(1...100_000), default: .integers(ts), help: "timesteps")
    }
}

extension CheckContext {
    /// The schedule the cell names, with its T.
    public var schedule: NoiseSchedule {
        get throws { try NoiseSchedule.named(parameters.text("schedule"), steps: parameters.integer("T")) }
    }

    /// Timesteps from the `t` list, checked against T.
    public func timesteps(_ schedule: NoiseSchedule) throws -> [Int] {
        let ts = parameters.integers("t")
        if let bad = ts.first(where: { $0 > schedule.steps }) {
            throw CheckFailure("t = \(bad) is beyond T = \(schedule.steps)")
        }
        return ts
    }
}
