import CGSL

/// The standard normal N(0, 1): Φ and its inverse, from GSL.
public enum StandardNormal {
    /// Φ(z) = P(Z ≤ z) (`gsl_cdf_ugaussian_P`).
    public static func cdf(_ z: Double) -> Double { gsl_cdf_ugaussian_P(z) }

    /// Q(z) = 1 − Φ(z), accurate in the upper tail (`gsl_cdf_ugaussian_Q`).
    public static func survival(_ z: Double) -> Double { gsl_cdf_ugaussian_Q(z) }

    /// Φ⁻¹(p) (`gsl_cdf_ugaussian_Pinv`).
    public static func quantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}
