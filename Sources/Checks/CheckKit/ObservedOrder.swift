import CheckCore
import Foundation

/// The convergence rows of a solver run at increasing step counts.
///
/// A method of order p has error e(K) ≈ C·K⁻ᵖ at K steps, so between two counts
/// p ≈ log(e₁/e₂)/log(K₂/K₁): the *observed order*. Earlier pairs are reported (the error is
/// not yet in its asymptotic regime); the last pair must be within `tolerance` of p.
public enum ObservedOrder {
    /// log(e₁/e₂)/log(K₂/K₁).
    public static func between(errors: (Double, Double), steps: (Int, Int)) -> Double {
        log(errors.0 / errors.1) / log(Double(steps.1) / Double(steps.0))
    }

    /// One row per consecutive pair of `counts`, labelled "`label`observed order `unit`=K₁→K₂".
    /// Throws unless there is one error per count and at least two counts.
    public static func rows(
        _ label: String = "", counts: [Int], errors: [Double], order: Int, unit: String = "K", tolerance: Double = 0.1
    ) throws -> [CheckRow] {
        guard counts.count >= 2, errors.count == counts.count else {
            throw CheckFailure("an observed order needs at least two step counts with one error each (got \(counts.count) counts, \(errors.count) errors)")
        }
        return (1..<counts.count).map { i in
            let observed = between(errors: (errors[i - 1], errors[i]), steps: (counts[i - 1], counts[i]))
            let last = i == counts.count - 1
            return .holds("\(label)observed order \(unit)=\(counts[i - 1])→\(counts[i])", value: observed,
                          rule: last ? "within \(shortNumber(tolerance)) of \(order)" : "reported",
                          pass: last ? abs(observed - Double(order)) <= tolerance : observed.isFinite)
        }
    }
}
