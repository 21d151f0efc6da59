import Foundation

/// The network preconditioning of EDM (Karras et al. 2022, Table 1 and Appendix B.6):
/// D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ)), for data of standard deviation
/// σ_data. The coefficients are chosen so that, for such data, the network's input c_in·x
/// and its training target (x₀ − c_skip·x)/c_out both have unit variance, and c_skip
/// minimizes how much of the noise the network must undo:
///
/// c_skip = σ_data²/(σ² + σ_data²), c_out = σ·σ_data/√(σ² + σ_data²), c_in = 1/√(σ² + σ_data²),
/// c_noise = ¼·ln σ; the loss weight λ(σ) = (σ² + σ_data²)/(σ·σ_data)² = 1/c_out² makes the
/// effective weight on F's error 1 at every σ.
public struct EDMPreconditioning: Sendable, Equatable {
    public let sigmaData: Double

    public init(sigmaData: Double = 0.5) { self.sigmaData = sigmaData }

    public func cSkip(_ sigma: Double) -> Double { sigmaData * sigmaData / (sigma * sigma + sigmaData * sigmaData) }
    public func cOut(_ sigma: Double) -> Double { sigma * sigmaData / (sigma * sigma + sigmaData * sigmaData).squareRoot() }
    public func cIn(_ sigma: Double) -> Double { 1 / (sigma * sigma + sigmaData * sigmaData).squareRoot() }
    public func cNoise(_ sigma: Double) -> Double { Foundation.log(sigma) / 4 }
    public func lossWeight(_ sigma: Double) -> Double {
        (sigma * sigma + sigmaData * sigmaData) / (sigma * sigmaData * sigma * sigmaData)
    }

    /// The training target of F for a clean x₀ and its noised x = x₀ + σn.
    public func target(x0: Double, x: Double, sigma: Double) -> Double { (x0 - cSkip(sigma) * x) / cOut(sigma) }
}
