import Foundation
import ForwardProcess
import Neural
import Stochastic

/// Trains the conditional U-Net on latents with DDPM's simplified objective (eq. 14) and
/// classifier-free guidance dropout: z₀ = f·(μ + σ ⊙ ε′) drawn from the autoencoder's
/// posterior and scaled by the scale factor f; t ~ U{1…T}; ε ~ N(0, I);
/// z_t = √ᾱ_t z₀ + √(1 − ᾱ_t) ε; the prompt is the class name, replaced by the empty prompt ∅
/// with probability `dropPrompt`; L = ‖ε − ε_θ(z_t, t, c)‖² averaged over the batch's numbers.
public final class UNetTask: LatentTrainingTask {
    public let model: UNet
    public let conditioning: Conditioning
    public let codes: LatentCodes
    public let schedule: NoiseSchedule
    /// f = 1/std of the first batch's latents (LDM's scale_by_std), so z₀ has unit variance.
    public let scaleFactor: Float
    public let dropPrompt: Double

    public init(model: UNet, conditioning: Conditioning, codes: LatentCodes, schedule: NoiseSchedule, scaleFactor: Float, dropPrompt: Double = 0.1) {
        self.model = model
        self.conditioning = conditioning
        self.codes = codes
        self.schedule = schedule
        self.scaleFactor = scaleFactor
        self.dropPrompt = dropPrompt
    }

    public var kind: LatentModelKind { .unet }
    public var parameters: [Parameter] { model.parameters + conditioning.parameters }
    public var metadata: [String: String] {
        ["scaleFactor": String(scaleFactor), "dropPrompt": String(dropPrompt), "schedule": schedule.name,
         "channels": model.configuration.channels.map(String.init).joined(separator: ","),
         "attention": model.configuration.attention.rawValue]
    }

    public func loss(indices: [Int], stream: inout RandomStream, on tape: Tape) -> Variable {
        let n = indices.count, d = LatentCodes.dimensions, steps = schedule.steps
        var modelIndices = [Int](repeating: 0, count: n)
        var labels = [Int?](repeating: nil, count: n)
        let epsilon = tape.standardNormal(shape: [n] + LatentCodes.shape, stream: &stream)
        let noise = tape.value(epsilon).pointer
        let zt = tape.input(shape: [n] + LatentCodes.shape) { target in
            for (row, index) in indices.enumerated() {
                let t = 1 + stream.index(below: steps)
                modelIndices[row] = t - 1
                labels[row] = stream.uniform() < dropPrompt ? nil : codes.labels[index]
                let a = Float(schedule.sqrtAlphaBar(t)), b = Float(schedule.sqrtOneMinusAlphaBar(t))
                let mean = codes.mean.pointer + index * d, logVariance = codes.logVariance.pointer + index * d
                for k in 0..<d {
                    let z0 = scaleFactor * (mean[k] + FastMath.exp(0.5 * logVariance[k]) * Float(stream.normal()))
                    target[row * d + k] = a * z0 + b * noise[row * d + k]
                }
            }
        }
        let context = conditioning(labels, on: tape)
        return tape.meanSquaredError(model(zt, indices: modelIndices, context: context, on: tape), epsilon)
    }

    /// f = 1/std of z = μ + σ ⊙ ε over the first `batch` examples (all their numbers).
    public static func scaleFactor(of codes: LatentCodes, batch: Int = 64, seed: UInt64) -> Float {
        var stream = RandomStream(seed: seed, stream: 0x5343_414C)
        let d = LatentCodes.dimensions, count = min(batch, codes.count) * d
        var sum = 0.0, squares = 0.0
        for k in 0..<count {
            let z = Double(codes.mean[k]) + Foundation.exp(0.5 * Double(codes.logVariance[k])) * stream.normal()
            sum += z
            squares += z * z
        }
        let mean = sum / Double(count)
        return Float(1 / ((squares / Double(count) - mean * mean) * Double(count) / Double(count - 1)).squareRoot())
    }
}
