import Foundation
import ForwardProcess

/// The σ levels a sampler visits, from σ_max down to σ_min, followed by a final 0.
public enum SigmaSpacing: String, CaseIterable, Sendable {
    /// σᵢ = (σ_max^{1/ρ} + i/(N−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, i = 0…N−1: evenly spaced in
    /// σ^{1/ρ} (Karras et al. 2022, eq. 5). ρ = 7 crowds the steps at small σ, where the
    /// trajectory bends most; ρ = 1 is uniform in σ and ρ → ∞ uniform in log σ.
    case karras
    /// Evenly spaced in log σ, i.e. in λ = −log σ: the spacing of DPM-Solver's analysis
    /// (Lu et al. 2022, §3.4, "uniform logSNR").
    case logUniform = "log-uniform"

    /// N levels from `maximum` to `minimum` (both included), then 0.
    public func sigmas(count: Int, minimum: Double, maximum: Double, rho: Double = 7) throws -> [Double] {
        guard count >= 2 else { throw SigmaSpacingError("a spacing needs at least 2 levels (got \(count))") }
        guard minimum > 0, maximum > minimum, maximum.isFinite else {
            throw SigmaSpacingError("need 0 < σ_min < σ_max < ∞ (got σ_min = \(minimum), σ_max = \(maximum))")
        }
        guard rho > 0, rho.isFinite else { throw SigmaSpacingError("ρ must be a positive number (got \(rho))") }
        let last = Double(count - 1)
        let levels: [Double]
        switch self {
        case .karras:
            levels = Self.karrasLevels(count: count, minimum: minimum, maximum: maximum, rho: rho)
        case .logUniform:
            let (top, bottom) = (Foundation.log(maximum), Foundation.log(minimum))
            levels = (0..<count).map { i in
                i == 0 ? maximum : i == count - 1 ? minimum : Foundation.exp(top + Double(i) / last * (bottom - top))
            }
        }
        return levels + [0]
    }
}

extension SigmaSpacing {
    /// Karras et al. (2022, eq. 5): σᵢ = (σ_max^{1/ρ} + i/(N−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, with
    /// the two ends exact. Written over `ScheduleScalar` so `lessons verify` can bound a
    /// library's Float32 levels; needs N ≥ 2 and 0 < σ_min < σ_max.
    public static func karrasLevels<R: ScheduleScalar>(count: Int, minimum: R, maximum: R, rho: Double) -> [R] {
        let last = Double(count - 1)
        let (top, bottom) = (R.power(maximum, 1 / rho), R.power(minimum, 1 / rho))
        return (0..<count).map { i in
            i == 0 ? maximum : i == count - 1 ? minimum : R.power(top + R(Double(i) / last) * (bottom - top), rho)
        }
    }
}

/// A σ spacing that cannot be built, with what is accepted.
public struct SigmaSpacingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
