extension DiffusionSDE {
    /// Points moved from t₀ to t₁ along the probability-flow ODE dx/dt = f(t)x − ½g(t)²∇log p_t(x),
    /// by `steps` equal steps of the classical fourth-order Runge–Kutta method (t₁ < t₀ runs
    /// backward, from noise toward data). With a smooth score the error falls as steps⁻⁴, so
    /// a few hundred steps leave it far below any Monte-Carlo resolution.
    ///
    /// `score(t)` gives the score function x ↦ ∇log p_t(x) at time t (asked once per time, so
    /// a closed-form p_t is built once per stage, not once per point).
    public func transport(
        _ points: [Double], from t0: Double, to t1: Double, steps: Int, score: (Double) -> (Double) -> Double
    ) -> [Double] {
        precondition(steps > 0, "at least one step")
        let h = (t1 - t0) / Double(steps)
        var points = points
        for i in 0..<steps {
            let t = t0 + Double(i) * h
            let (start, middle, end) = (score(t), score(t + 0.5 * h), score(t + h))
            let (c1, c2, c4) = (coefficients(t), coefficients(t + 0.5 * h), coefficients(t + h))
            for j in points.indices {
                let x = points[j]
                let k1 = Self.flowVelocity(x, c1, score: start(x))
                let x2 = x + 0.5 * h * k1
                let k2 = Self.flowVelocity(x2, c2, score: middle(x2))
                let x3 = x + 0.5 * h * k2
                let k3 = Self.flowVelocity(x3, c2, score: middle(x3))
                let x4 = x + h * k3
                let k4 = Self.flowVelocity(x4, c4, score: end(x4))
                points[j] = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            }
        }
        return points
    }
}
