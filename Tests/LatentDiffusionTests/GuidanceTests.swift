import Neural
import Stochastic
import Testing
@testable import LatentDiffusion

/// Classifier-free guidance combines the U-Net's two predictions as ε̂ = ε_∅ + w(ε_c − ε_∅).
@Suite struct GuidanceTests {
    @Test func guidedPredictionIsTheCFGCombination() {
        var c = UNetConfiguration()
        c.channels = [8, 16]
        c.groups = 4
        c.heads = 2
        c.contextChannels = 8
        var stream = RandomStream(seed: 1, stream: 0)
        let unet = UNet(c, stream: &stream)
        let encoder = TextEncoder(channels: 8, heads: 2, stream: &stream)
        let prompts = [Prompt.forClass(7), Prompt.forClass(1), Prompt.forClass(4)]
        let d = LatentCodes.dimensions
        let x = (0..<(3 * d)).map { _ in Float(stream.normal()) }
        func predict(_ w: Double) -> [Float] {
            var output = [Float](repeating: 0, count: 3 * d)
            let denoiser = GuidedDenoiser(model: unet, encoder: encoder, prompts: prompts, guidance: w, batchSize: 2)
            x.withUnsafeBufferPointer { points in output.withUnsafeMutableBufferPointer { denoiser.predict(points.baseAddress!, count: 3, index: 400, into: $0.baseAddress!) } }
            return output
        }
        let conditional = predict(1), unconditional = predict(0), guided = predict(3)
        var worst: Float = 0
        for k in 0..<(3 * d) {
            worst = max(worst, abs(guided[k] - (unconditional[k] + 3 * (conditional[k] - unconditional[k]))))
        }
        #expect(worst < 1e-4, "largest |ε̂ − (ε_∅ + 3(ε_c − ε_∅))| = \(worst)")
        // The prompt matters: ε_c differs from ε_∅, so the check above can fail.
        #expect(zip(conditional, unconditional).contains { abs($0 - $1) > 1e-3 })
        // A combination with the wrong sign, ε_c + w(ε_∅ − ε_c), is far from it.
        let wrong = (0..<(3 * d)).map { conditional[$0] + 3 * (unconditional[$0] - conditional[$0]) }
        #expect(zip(wrong, guided).contains { abs($0 - $1) > 1e-2 })
        // A w that is 0 or 1 only once rounded to Float runs the one pass its rounding names.
        #expect(predict(1e-60) == unconditional && predict(1 + 1e-12) == conditional)
    }
}
