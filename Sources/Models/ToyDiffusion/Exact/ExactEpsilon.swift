import ForwardProcess
import Sampling

/// The exact ε*(xₜ, t) = E[ε | xₜ] of Gaussian-mixture data (`OptimalDenoiser`) as an
/// `EpsilonPredictor`: the network a perfectly trained model would be. Sampling with it
/// isolates the sampler: what remains is the error of the discretized reverse process.
public struct ExactEpsilon: EpsilonPredictor {
    public let data: GaussianMixture2D
    public let schedule: NoiseSchedule
    /// Points in the plane.
    public var dimensions: Int { 2 }

    public init(data: GaussianMixture2D, schedule: NoiseSchedule) {
        self.data = data
        self.schedule = schedule
    }

    public func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>) {
        // t = index + 1 lies in 1…T, where 1 − ᾱₜ > 0: the initializer cannot fail.
        guard let denoiser = try? OptimalDenoiser(data: data, schedule: schedule, t: index + 1) else {
            preconditionFailure("step \(index + 1) outside 1…\(schedule.steps)")
        }
        for i in 0..<count {
            let epsilon = denoiser.epsilon(Point2(Double(points[2 * i]), Double(points[2 * i + 1])))
            output[2 * i] = Float(epsilon.x)
            output[2 * i + 1] = Float(epsilon.y)
        }
    }
}
