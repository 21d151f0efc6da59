import ForwardProcess

/// Euler's method on the flow-matching ODE dx/dt = u(x, t), from t = 1 (pure noise) down to
/// t = 0 (SD3's `FlowMatchEulerDiscreteScheduler`): x' = x + (t' − t)·u.
///
/// It is the σ-space Euler step (and so DDIM) in disguise: with x̂₀ = x − t·u and
/// ε̂ = x + (1 − t)·u, the step gives x' = (1 − t')x̂₀ + t'ε̂, i.e. x'/(1 − t') = x̂₀ + σ'ε̂
/// with σ' = t'/(1 − t') — the Euler step of `ODESolver` on the scaled sample.
public enum FlowEuler {
    public static func step<R: ScheduleScalar>(_ x: R, velocity u: R, t: R, next: R) -> R { x + (next - t) * u }

    /// Integrates through the levels `times` (decreasing, in [0, 1]) with the velocity field.
    public static func solve(from x: Double, times: [Double], velocity: (Double, Double) -> Double) -> Double {
        zip(times, times.dropFirst()).reduce(x) { x, levels in step(x, velocity: velocity(x, levels.0), t: levels.0, next: levels.1) }
    }
}
