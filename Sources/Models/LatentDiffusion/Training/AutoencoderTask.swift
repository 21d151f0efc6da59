import Neural
import Stochastic

/// Trains the KL autoencoder (LDM §3.1): z = μ + σ ⊙ ε from q(z|x), x̂ = D(z), and
/// L = mean |x̂ − x| + w · KL(q(z|x) ‖ N(0, I)), the KL summed over the 256 latent numbers and
/// averaged over the batch, with a small weight w (the latents stay close to deterministic;
/// their scale is fixed later by the scale factor).
public final class AutoencoderTask: LatentTrainingTask {
    public let model: Autoencoder
    public let data: FashionMNIST
    public let klWeight: Float

    public init(model: Autoencoder, data: FashionMNIST, klWeight: Float = 1e-5) {
        self.model = model
        self.data = data
        self.klWeight = klWeight
    }

    public var kind: LatentModelKind { .autoencoder }
    public var parameters: [Parameter] { model.parameters }
    public var metadata: [String: String] { ["klWeight": String(klWeight)] }

    public func loss(indices: [Int], stream: inout RandomStream, on tape: Tape) -> Variable {
        let images = data.input(indices, on: tape)
        let (mean, logVariance) = model.encode(images, on: tape)
        let noise = tape.standardNormal(shape: tape.value(mean).shape, stream: &stream)
        let z = tape.gaussianSample(mean: mean, logVariance: logVariance, noise: tape.value(noise))
        let reconstruction = tape.meanAbsoluteError(model.decode(z, on: tape), images)
        return tape.add(reconstruction, tape.scale(tape.klToStandardNormal(mean: mean, logVariance: logVariance), by: klWeight))
    }
}
