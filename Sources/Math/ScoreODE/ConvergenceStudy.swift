import Foundation

/// A solver's global error on Gaussian data, where the exact answer is known
/// (`GaussianDataFlow.transport`): the data of an order-of-convergence measurement.
public struct ConvergenceStudy: Sendable {
    public let flow: GaussianDataFlow
    public let sigmaMin: Double
    public let sigmaMax: Double
    /// x at σ_max: m + start·√(s² + σ_max²), i.e. `start` standard deviations of p_σmax from the mean.
    public let start: Double

    public init(flow: GaussianDataFlow, sigmaMin: Double = 0.002, sigmaMax: Double = 80, start: Double = 1.3) {
        self.flow = flow
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
        self.start = start
    }

    /// x at σ_max.
    public var initial: Double { flow.data.mean + start * flow.noisedLaw(sigma: sigmaMax).standardDeviation }

    /// The exact x at σ_min.
    public var exact: Double { flow.transport(initial, from: sigmaMax, to: sigmaMin) }

    /// K steps through K + 1 levels evenly spaced in log σ (uniform in λ, the spacing of
    /// DPM-Solver's analysis), ending at σ_min rather than 0 so the exact value is finite
    /// and the error is the solver's alone.
    public func levels(steps: Int) throws -> [Double] {
        Array(try SigmaSpacing.logUniform.sigmas(count: steps + 1, minimum: sigmaMin, maximum: sigmaMax).dropLast())
    }

    /// |x_K − x_exact| for `solver` at K steps.
    public func error(_ solver: ODESolver, steps: Int) throws -> Double {
        abs(try solver.solve(from: initial, sigmas: levels(steps: steps), denoiser: flow.denoiser) - exact)
    }
}
