import Foundation
import LatentDiffusion
import Neural
import Stochastic
import Testing

@Suite("The project's U-Net as diffusers' UNet2DConditionModel: identity modules and folded biases")
struct ProjectUNetConversionTests {
    /// ‖a − b‖₂ / ‖b‖₂.
    func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
        var difference = 0.0, norm = 0.0
        for k in 0..<b.count {
            difference += pow(Double(a[k]) - Double(b[k]), 2)
            norm += pow(Double(b[k]), 2)
        }
        return (difference / norm).squareRoot()
    }

    /// A project U-Net with PyTorch-style random weights (every bias non-zero) and random inputs.
    func randomCase(seed: UInt64) -> (unet: UNet, latents: Tensor, indices: [Int], context: Tensor) {
        var stream = RandomStream(seed: seed)
        let unet = UNet(.fashion, stream: &stream)
        // GroupNorm and LayerNorm start at (1, 0); give them other values so that folding into β is tested.
        for parameter in unet.parameters where parameter.value.shape.count == 1 {
            for k in 0..<parameter.value.count { parameter.value[k] += Float(0.1 * stream.normal()) }
        }
        let latents = Tensor(zeros: [2] + LatentCodes.shape), context = Tensor(zeros: [2 * TextEncoder.length, 64])
        for k in 0..<latents.count { latents[k] = Float(stream.normal()) }
        for k in 0..<context.count { context[k] = Float(stream.normal()) }
        return (unet, latents, [999, 17], context)
    }

    /// The parity tolerance of docs/diffusers-parity.md: Float32 rounding plus the timestep
    /// sinusoid, which diffusers (and so the converted model) forms in Float32, where one ulp
    /// of the angle at t ≈ 1000 is ≈ 6·10⁻⁵ rad; the transformers' GroupNorm ε (10⁻⁵ → 10⁻⁶)
    /// moves 1/√(σ² + ε) by ≈ 4.5·10⁻⁶/σ² relative, below that.
    let tolerance = 1e-4

    func error(of converted: DiffusersUNet, _ c: (unet: UNet, latents: Tensor, indices: [Int], context: Tensor)) -> Double {
        let expected = c.unet.epsilon(c.latents, indices: c.indices, context: c.context, scratch: Tape())
        return relativeError(converted.epsilon(c.latents, indices: c.indices, context: c.context, scratch: Tape()), expected)
    }

    func parameter(_ model: DiffusersUNet, _ name: String) throws -> Parameter {
        try #require(model.parameters.first { $0.name == name })
    }

    @Test("the converted model computes the project's ε within the parity tolerance (measured 1.6·10⁻⁵)")
    func sameEpsilon() throws {
        let c = randomCase(seed: 11)
        let converted = try DiffusersUNet.converting(c.unet)
        #expect(converted.config.layersPerBlock == [1, 1] && !converted.config.hasMidBlock && !converted.config.flipSinToCos)
        let error = error(of: converted, c)
        print("converted U-Net: relative error \(error)")
        #expect(error < tolerance)
    }

    @Test("it can fail: the query bias left in β unfolded, or the extra ResNet's shortcut not passing h, each moves ε by far more than the tolerance")
    func mutations() throws {
        let c = randomCase(seed: 11)
        let unfolded = try DiffusersUNet.converting(c.unet)
        guard case .spatial(let transformer) = c.unet.down[0].attention else { Issue.record("no SpatialTransformer"); return }
        try parameter(unfolded, "down_blocks.0.attentions.0.transformer_blocks.0.norm1.bias").value.copy(from: transformer.blocks[0].norm1.beta.value)
        let unfoldedError = error(of: unfolded, c)
        let blocked = try DiffusersUNet.converting(c.unet)
        let shortcut = try parameter(blocked, "up_blocks.0.resnets.1.conv_shortcut.weight").value
        for k in 0..<shortcut.count { shortcut[k] = 0 }
        let blockedError = error(of: blocked, c)
        print("mutations: unfolded β \(unfoldedError), shortcut zero \(blockedError)")
        #expect(unfoldedError > 10 * tolerance && blockedError > 10 * tolerance)
    }

    @Test("the benchmark's compact attention is not a UNet2DConditionModel: refused, saying why")
    func compactRefused() {
        var stream = RandomStream(seed: 1)
        let unet = UNet(.benchmark, stream: &stream)
        #expect(throws: DiffusersModelError.self) { try DiffusersUNet.converting(unet) }
        #expect((try? DiffusersUNet.config(holding: .fashion)) != nil)
    }
}
