import CGSL

/// The value of a definite integral and GSL's estimate of its absolute error.
public struct QuadratureResult: Sendable, Equatable {
    public let value: Double
    public let estimatedError: Double
}

/// Adaptive quadrature of Swift closures with GSL's QUADPACK routines: `qags` on a finite
/// interval, `qagi` on (−∞, ∞), `qagiu`/`qagil` on half-lines.
public enum Quadrature {
    /// ∫ₐᵇ f(x) dx, with a and b possibly infinite.
    /// Throws `GSLError` when GSL cannot reach the requested tolerance.
    public static func integrate(
        from a: Double, to b: Double,
        relativeTolerance: Double = 1e-12, absoluteTolerance: Double = 0,
        _ f: (Double) -> Double
    ) throws -> QuadratureResult {
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
            switch (a.isInfinite, b.isInfinite) {
            case (false, false):
                status = gsl_integration_qags(&function, a, b, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
            case (true, true):
                status = gsl_integration_qagi(&function, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
            case (false, true):
                status = gsl_integration_qagiu(&function, a, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
            case (true, false):
                status = gsl_integration_qagil(&function, b, absoluteTolerance, relativeTolerance, limit, workspace, &value, &error)
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
