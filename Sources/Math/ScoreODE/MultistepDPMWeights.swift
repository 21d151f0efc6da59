import ForwardProcess

/// The weights of one DPM-Solver++(2M) step (Lu et al. 2022b, "DPM-Solver++", Algorithm 2):
/// the one home of the formula, generic so that the sampler (`DPMSolverPlusPlus`, in Double,
/// scaled coordinates) and `lessons verify` (in rounding-bounded numbers, in the VP or the
/// scaled coordinates a trace records) read the same weights.
///
/// With signal and noise scales (α, s) at the current level and (α', s') at the next,
/// λ = log α − log s, h = λ' − λ and, from the previous step, r = h₋₁/h:
///
///     x' = (s'/s)·x − α'(e^{−h} − 1)·D − ½α'(e^{−h} − 1)·(D − D₋₁)/r,
///
/// the first-order (DDIM) data-prediction step plus a linear extrapolation of D in λ. The
/// first step has no D₋₁ and stays first order. At σ' = 0, λ' = ∞: e^{−h} = 0 and s' = 0, so
/// a first-order step lands on D itself.
public struct MultistepDPMWeights<T: ScheduleScalar> {
    /// s'/s, the weight on x.
    public let onSample: T
    /// −α'(e^{−h} − 1), the weight on D.
    public let onDenoised: T
    /// −½α'(e^{−h} − 1)/r, the weight on the difference D − D₋₁; nil for a first-order step.
    public let onDifference: T?

    /// The weights from the scales' ratio s'/s, α' and e^{−h} − 1, each formed as the caller's
    /// reference forms it (expm1 or exp − 1; s'/s or e^{−h} in scaled coordinates), and 1/r =
    /// h/h₋₁ for a second-order step (nil for first order). A verifier passes r itself to
    /// plant the inverted ratio.
    public init(sampleRatio: T, alphaNext: T, decayMinusOne: T, inverseRatio: T?) {
        onSample = sampleRatio
        let weight = T(0) - alphaNext * decayMinusOne
        onDenoised = weight
        onDifference = inverseRatio.map { T(0.5) * weight * $0 }
    }
}
