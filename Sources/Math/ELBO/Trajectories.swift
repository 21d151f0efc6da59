import Foundation
import ForwardProcess
import Gaussian
import Stochastic

/// Whole forward trajectories x_{1:T} ~ q(x_{1:T} | x₀) and their log-weights
/// log w = log p_θ(x_{0:T}) − log q(x_{1:T} | x₀), for Monte-Carlo estimates of the bound:
/// E_q[log w] is the ELBO and E_q[w] = p_θ(x₀) (every trajectory's weight averages to the
/// likelihood).
public enum Trajectories {
    /// log w for one trajectory drawn from `stream`.
    public static func logWeight(model: ReverseModel, x0: Double, stream: inout RandomStream) -> Double {
        let schedule = model.schedule
        var previous = x0
        var logForward = 0.0, logReverse = 0.0
        for t in 1...schedule.steps {
            let step = ForwardProcess.step(schedule, t: t, from: previous)
            let xt = step.sample(&stream)
            logForward += step.logDensity(xt)
            // p_θ(xₜ₋₁ | xₜ), with x₀ as the last "previous".
            logReverse += model.step(t, from: xt).logDensity(previous)
            previous = xt
        }
        logReverse += Gaussian.standard.logDensity(previous)  // p(x_T)
        return logReverse - logForward
    }

    /// `count` log-weights.
    public static func logWeights(model: ReverseModel, x0: Double, count: Int, stream: inout RandomStream) -> [Double] {
        (0..<count).map { _ in logWeight(model: model, x0: x0, stream: &stream) }
    }
}
