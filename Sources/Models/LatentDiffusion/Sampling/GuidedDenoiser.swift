import Neural
import Sampling

/// ε̂ of classifier-free guidance (Ho & Salimans 2022) for a batch of latents, each with its
/// own prompt c: ε̂ = ε_θ(z_t, t, ∅) + w·(ε_θ(z_t, t, c) − ε_θ(z_t, t, ∅)). w = 1 is the plain
/// conditional model, w = 0 the unconditional one; w > 1 pushes samples toward the prompt.
/// Conditional and unconditional passes run as one U-Net batch of 2B; the prompts' context
/// tokens are computed once. At w = 1 and w = 0 the combination is one of the two passes
/// (ε̂ = ε_c, ε̂ = ε_∅), so only that one runs: a batch of B.
public final class GuidedDenoiser: EpsilonPredictor {
    public let model: any LatentNoisePredictor
    public let guidance: Float
    public let batchSize: Int
    /// Per chunk of `batchSize` latents: the context of [prompts; ∅ …] (just the prompts when
    /// w = 1, just ∅ when w = 0).
    private let contexts: [Tensor]
    private let tape = Tape()

    public init(model: any LatentNoisePredictor, encoder: TextEncoder, prompts: [Prompt], guidance: Double, batchSize: Int = 64) {
        self.model = model
        self.guidance = Float(guidance)
        self.batchSize = batchSize
        tape.isRecording = false
        var contexts: [Tensor] = []
        var start = 0
        while start < prompts.count {
            let chunk = Array(prompts[start..<min(start + batchSize, prompts.count)])
            let empty = Array(repeating: Prompt.empty, count: chunk.count)
            // Decided on the Float w that `predict` combines with, so the two always agree.
            let all = self.guidance == 1 ? chunk : self.guidance == 0 ? empty : chunk + empty
            let value = tape.value(encoder(all, on: tape))
            let copy = Tensor(zeros: value.shape)
            copy.copy(from: value)
            contexts.append(copy)
            tape.reset()
            start += chunk.count
        }
        self.contexts = contexts
    }

    public var dimensions: Int { LatentCodes.dimensions }

    public func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>) {
        let d = dimensions, guided = guidance != 1 && guidance != 0
        for (chunk, context) in contexts.enumerated() {
            let start = chunk * batchSize, n = min(batchSize, count - start)
            let copies = guided ? 2 : 1
            let x = tape.input(shape: [copies * n] + LatentCodes.shape) { target in
                for copy in 0..<copies { (target + copy * n * d).update(from: points + start * d, count: n * d) }
            }
            let result = model.epsilon(tape.value(x), indices: Array(repeating: index, count: copies * n), context: context, scratch: tape)
            withExtendedLifetime(result) {
                let epsilon = result.pointer, target = output + start * d
                if guided {
                    let w = guidance
                    for k in 0..<(n * d) { target[k] = epsilon[n * d + k] + w * (epsilon[k] - epsilon[n * d + k]) }
                } else {
                    target.update(from: epsilon, count: n * d)
                }
            }
            tape.reset()
        }
    }
}
