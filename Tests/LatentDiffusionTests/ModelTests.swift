import Neural
import Stochastic
import Testing
@testable import LatentDiffusion

/// Shapes through the latent models, the benchmark U-Net's parameter count, and the whole
/// backward pass of small instances against finite differences.
@Suite struct LatentModelTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var stream = RandomStream(seed: seed, stream: 0)
        let tensor = Tensor(zeros: shape)
        for index in 0..<tensor.count { tensor[index] = Float(scale * stream.normal()) }
        return tensor
    }

    @Test func benchmarkUNetHasThePyTorchReferenceParameterCount() {
        var stream = RandomStream(seed: 0, stream: 0)
        let unet = UNet(.benchmark, stream: &stream)
        let context = ClassContext(stream: &stream)
        // scripts/bench-pytorch-unet.py asserts the same number for its PyTorch model.
        #expect(unet.parameterCount + context.parameters.reduce(0) { $0 + $1.value.count } == 1_613_508)
    }

    @Test func shapesThroughTheModels() {
        var stream = RandomStream(seed: 0, stream: 0)
        let unet = UNet(.fashion, stream: &stream)
        let encoder = TextEncoder(stream: &stream)
        let autoencoder = Autoencoder(seed: 1)
        let classifier = Classifier(seed: 2)
        let tape = Tape()
        tape.isRecording = false
        let images = tape.constant(Self.random([3, 1, 32, 32], seed: 3))
        let moments = autoencoder.encode(images, on: tape)
        #expect(tape.value(moments.mean).shape == [3, 4, 8, 8])
        #expect(tape.value(moments.logVariance).shape == [3, 4, 8, 8])
        #expect(tape.value(autoencoder.decode(moments.mean, on: tape)).shape == [3, 1, 32, 32])
        let context = encoder([Prompt.forClass(7), .empty, Prompt.forClass(9)], on: tape)
        #expect(tape.value(context).shape == [3 * TextEncoder.length, 64])
        let epsilon = unet(moments.mean, indices: [0, 500, 999], context: context, on: tape)
        #expect(tape.value(epsilon).shape == [3, 4, 8, 8])
        #expect(tape.value(classifier(images, on: tape)).shape == [3, 10])
        #expect(tape.value(classifier.features(images, on: tape)).shape == [3, Classifier.features])
    }

    /// The U-Net with every kind of block (ResNet with time, SpatialTransformer with self-,
    /// cross-attention and GEGLU, down/upsampling, skips) and the text encoder: ∂L/∂x and
    /// ∂L/∂(token table) against finite differences.
    @Test func smallUNetBackwardMatchesFiniteDifferences() {
        var c = UNetConfiguration()
        c.channels = [8, 16]
        c.groups = 4
        c.heads = 2
        c.timeEmbedding = 8
        c.timeDimensions = 12
        c.contextChannels = 8
        var stream = RandomStream(seed: 5, stream: 0)
        let unet = UNet(c, steps: 10, stream: &stream)
        let encoder = TextEncoder(channels: 8, heads: 2, stream: &stream)
        let x = Self.random([2, 4, 4, 4], seed: 6)
        let target = Self.random([2, 4, 4, 4], seed: 7)
        // The step balances the Float32 rounding of the loss, which dominates for x at small
        // steps, against the truncation error of the token table's differences at large ones.
        // Measured worst errors: step 0.005 → 3.7e-3, 0.01 → 2.1e-3, 0.014 → 1.4e-3,
        // 0.02 → 4.6e-3 (token table), 0.04 → 3.4e-2.
        let result = GradientCheck.compare(leaves: [x, encoder.tokens.value], step: 0.014) { tape, v in
            let context = encoder.context(tokens: v[1], prompts: [Prompt.forClass(0), .empty], on: tape)
            return tape.meanSquaredError(unet(v[0], indices: [3, 8], context: context, on: tape), tape.constant(target))
        }
        #expect(result.maxRelativeError < 2e-3, "\(result)")
    }

    @Test func smallAutoencoderAndClassifierBackwardMatchFiniteDifferences() {
        let autoencoder = Autoencoder(seed: 3)
        let x = Self.random([1, 1, 32, 32], seed: 8, scale: 0.5)
        let z = Self.random([1, 4, 8, 8], seed: 9)
        // MSE, not L1: |·| has a kink that finite differences straddle.
        let decoded = GradientCheck.compare(leaves: [z]) { tape, v in
            tape.meanSquaredError(autoencoder.decode(v[0], on: tape), tape.constant(x))
        }
        #expect(decoded.maxRelativeError < 2e-3, "\(decoded)")
        // Through the encoder, its mid-block attention and the split of the moments into μ and log σ².
        let target = Self.random([1, 4, 8, 8], seed: 10)
        let encoded = GradientCheck.compare(leaves: [x]) { tape, v in
            let moments = autoencoder.encode(v[0], on: tape)
            return tape.add(tape.meanSquaredError(moments.mean, tape.constant(target)), tape.meanSquaredError(moments.logVariance, tape.constant(target)))
        }
        #expect(encoded.maxRelativeError < 2e-3, "\(encoded)")
        let classifier = Classifier(seed: 4)
        let classified = GradientCheck.compare(leaves: [x]) { tape, v in
            tape.softmaxCrossEntropy(logits: classifier(v[0], on: tape), labels: [3])
        }
        #expect(classified.maxRelativeError < 2e-3, "\(classified)")
    }
}
