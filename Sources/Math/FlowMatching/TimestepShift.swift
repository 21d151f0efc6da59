import Foundation
import ForwardProcess

/// SD3's resolution-dependent timestep shift (Esser et al. 2024, §5.3.2, eq. 23):
/// t' = s·t/(1 + (s − 1)·t). In σ-space it is a plain scaling: σ' = t'/(1 − t') = s·σ, so
/// the shift multiplies the noise level by s and divides the SNR by s² at every step, which
/// is what a higher resolution (more pixels carrying the same signal) asks for.
///
/// Written over `ScheduleScalar`: `lessons verify` checks the σ levels of someone's flow-matching
/// scheduler with it.
public enum TimestepShift {
    public static func shifted<R: ScheduleScalar>(_ t: R, shift s: R) -> R { s * t / (R(1) + (s - R(1)) * t) }
}

/// Logit-normal sampling of t (Esser et al. 2024, §3.1, eq. 19): t = sigmoid(n) with
/// n ~ N(m, s²), which puts more training steps at intermediate t than uniform sampling.
/// Its density on (0, 1) is N(logit t; m, s²)/(t(1 − t)), the Jacobian of the logit.
public struct LogitNormal: Sendable, Equatable {
    public let location: Double
    public let scale: Double

    public init(location: Double = 0, scale: Double = 1) {
        self.location = location
        self.scale = scale
    }

    public func t(fromNormal n: Double) -> Double { 1 / (1 + Foundation.exp(-(location + scale * n))) }

    public func density(_ t: Double) -> Double {
        guard t > 0, t < 1 else { return 0 }
        let z = (Foundation.log(t / (1 - t)) - location) / scale
        return Foundation.exp(-z * z / 2) / (scale * (2 * Double.pi).squareRoot()) / (t * (1 - t))
    }

    /// P(T ≤ t) = Φ((logit t − m)/s).
    public func cdf(_ t: Double) -> Double {
        guard t > 0 else { return 0 }
        guard t < 1 else { return 1 }
        return 0.5 * Foundation.erfc(-(Foundation.log(t / (1 - t)) - location) / (scale * 2.0.squareRoot()))
    }
}
