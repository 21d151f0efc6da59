import CGSL

/// The value of a definite integral and GSL's estimate of its absolute error.
public struct QuadratureResult: Sendable, Equatable {
    public let value: Double
    public let estimatedError: Double
}

/// Adaptive quadrature of Swift closures with GSL's QUADPACK routines: `qags` on a finite
/// interval, `qagiu`/`qagil` on half-lines (the whole line is two half-lines).
public enum Quadrature {
    /// ∫ₐᵇ f(x) dx, with a and b possibly infinite.
    ///
    /// Over (−∞, ∞) the integral is split at `center` into two half-lines: QUADPACK's map
    /// of an infinite range onto (0, 1] resolves features near the split point best, and a
    /// narrow peak far from it (N(x; 100, 0.3), say) can be missed entirely. Pass the
    /// location of the integrand's mass. Throws `GSLError` when GSL cannot reach the
    /// requested tolerance.
    public static func integrate(
        from a: Double, to b: Double, center: Double = 0,
        relativeTolerance: Double = 1e-12, absoluteTolerance: Double = 0,
        _ f: (Double) -> Double
    ) throws -> QuadratureResult {
        if a == -.infinity && b == .infinity {
            let left = try integrate(from: a, to: center, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance, f)
            let right = try integrate(from: center, to: b, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance, f)
            return QuadratureResult(value: left.value + right.value, estimatedError: left.estimatedError + right.estimatedError)
        }
        _ = GSL.ready
        let limit = 1000
        guard let workspace = gsl_integration_workspace_alloc(limit) else {
            throw GSLError(status: GSL_ENOMEM, context: "quadrature workspace")
        }
        defer { gsl_integration_workspace_free(workspace) }
        return try withoutActuallyEscaping(f) { escapable in
            let box = Unmanaged.passRetained(IntegrandBox(escapable))
            defer { box.release() }
            var function = gsl_function(function: integrandTrampoline, params: box.toOpaque())
            var value = 0.0, error = 0.0
            let status: Int32
            if a.isFinite && b.isFinite {
                status = gsl_integration_qags(&function, a, b, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
            } else if a.isFinite && b == .infinity {
                status = gsl_integration_qagiu(&function, a, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
            } else if a == -.infinity && b.isFinite {
                status = gsl_integration_qagil(&function, b, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
            } else {
                status = Int32(GSL_EINVAL)
            }
            try GSL.check(status, "integrating over [\(a), \(b)]")
            return QuadratureResult(value: value, estimatedError: error)
        }
    }
}

/// Holds the Swift closure that GSL's C callback calls back into.
private final class IntegrandBox {
    let f: (Double) -> Double
    init(_ f: @escaping (Double) -> Double) { self.f = f }
}

/// A non-capturing C function: recovers the closure from the context pointer.
private let integrandTrampoline: @convention(c) (Double, UnsafeMutableRawPointer?) -> Double = { x, context in
    guard let context else { return .nan }
    return Unmanaged<IntegrandBox>.fromOpaque(context).takeUnretainedValue().f(x)
}
