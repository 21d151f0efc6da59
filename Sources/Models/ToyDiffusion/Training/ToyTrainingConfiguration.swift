import Foundation
import Stochastic

/// The fixed toy problem of the lessons (so that runs can be compared): DDPM with T = 1000
/// and linear β from 10⁻⁴ to 0.02, ε-prediction, Adam at lr 10⁻³, batches of 256 from
/// 10,000 training points, an EMA of the weights with decay 0.999 for sampling.
public struct ToyTrainingConfiguration: Sendable, Equatable {
    public var dataset: ToyDataset = .swissroll
    public var seed: UInt64 = 0
    public var trainingPoints = 10_000
    public var batchSize = 256
    public var learningRate: Float = 1e-3
    /// The learning rate over the run: constant, or a cosine decay to 0 over `totalSteps`.
    public var learningRateSchedule: LearningRateSchedule = .constant
    /// The number of steps the cosine decay spans (ignored for a constant rate).
    public var totalSteps = 20_000
    public var emaDecay: Float = 0.999
    /// How the diffusion step of each example is drawn: t = 1 + ⌊T·u^P⌋ with u ~ U[0, 1).
    /// P = 1 is DDPM's Algorithm 1, t ~ U{1…T}; P > 1 draws more small steps, where the
    /// fine structure of the data is learned: P(t ≤ k) = (k/T)^{1/P}.
    public var timestepPower: Double = 1
    public var diffusionSteps = 1000
    /// Clip the gradients to this global norm before each Adam step (`GradientClipping`);
    /// nil trains without clipping, as DDPM's Algorithm 1 does.
    public var clipNorm: Double?

    public init() {}

    /// Draws one diffusion step t ∈ 1…T with P(t ≤ k) = (k/T)^{1/timestepPower}. At P = 1 it
    /// is `index(below: T) + 1`, the draw of runs made before the option existed.
    public func drawTimestep(_ stream: inout RandomStream) -> Int {
        if timestepPower == 1 { return 1 + stream.index(below: diffusionSteps) }
        return 1 + min(diffusionSteps - 1, Int(Double(diffusionSteps) * Foundation.pow(stream.uniform(), timestepPower)))
    }

    /// The learning rate at optimizer step `step` (1-based).
    public func learningRate(at step: Int) -> Float {
        switch learningRateSchedule {
        case .constant:
            return learningRate
        case .cosine:
            let progress = min(Double(step - 1) / Double(max(totalSteps, 1)), 1)
            return learningRate * Float(0.5 * (1 + Foundation.cos(Double.pi * progress)))
        }
    }
}

/// How the learning rate changes over training.
public enum LearningRateSchedule: String, CaseIterable, Sendable {
    case constant, cosine
}
