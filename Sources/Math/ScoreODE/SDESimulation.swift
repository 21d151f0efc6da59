import Stochastic

extension DiffusionSDE {
    /// Points moved from t₀ forward to t₁ > t₀ by `steps` Euler–Maruyama steps of
    /// dx = f(t)x dt + g(t) dW, with f and g taken at each step's midpoint (which makes the
    /// added noise variance Σg²Δt a midpoint rule for ∫g², accurate to O(Δt²)).
    public func simulate(_ points: [Double], from t0: Double, to t1: Double, steps: Int, stream: inout RandomStream) -> [Double] {
        precondition(steps > 0 && t1 > t0, "at least one step, forward in time")
        let dt = (t1 - t0) / Double(steps)
        var points = points
        for i in 0..<steps {
            let c = coefficients(t0 + (Double(i) + 0.5) * dt)
            for j in points.indices { points[j] = Self.forwardStep(points[j], c, dt: dt, z: stream.normal()) }
        }
        return points
    }

    /// Points moved from t₀ back to t₁ < t₀ by `steps` Euler–Maruyama steps of the reverse-time
    /// SDE dx = [f x − g²∇log p_t(x)] dt + g dW̄, coefficients and score taken at each step's
    /// midpoint. `score(t)` gives x ↦ ∇log p_t(x).
    public func simulateReverse(
        _ points: [Double], from t0: Double, to t1: Double, steps: Int, stream: inout RandomStream,
        score: (Double) -> (Double) -> Double
    ) -> [Double] {
        precondition(steps > 0 && t1 < t0, "at least one step, backward in time")
        let dt = (t0 - t1) / Double(steps)
        var points = points
        for i in 0..<steps {
            let t = t0 - (Double(i) + 0.5) * dt
            let (scoreAt, c) = (score(t), coefficients(t))
            for j in points.indices {
                let x = points[j]
                points[j] = Self.reverseStep(x, c, dt: dt, score: scoreAt(x), z: stream.normal())
            }
        }
        return points
    }
}
