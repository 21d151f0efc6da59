import Neural
import Stochastic

/// The evaluation classifier: a small CNN on 32×32 Fashion-MNIST images that this project
/// trains itself, to score generated images (conditional accuracy) and to give the
/// features of the Fréchet distance (its penultimate layer, 128 numbers per image).
///
/// conv 1→32 @32², then three stages (32→64 @16², 64→128 @8², 128→128 @4²), each
/// Conv3×3 stride 2 → GN → SiLU → Conv3×3 → GN → SiLU, global average pool (the 128
/// features), Linear 128→10.
public final class Classifier {
    public static let features = 128

    let input: Conv2d
    let blocks: [(conv: Conv2d, norm: GroupNorm, conv2: Conv2d, norm2: GroupNorm)]
    let head: Linear

    public init(seed: UInt64) {
        var stream = RandomStream(seed: seed, stream: 0x434C_5300)
        input = Conv2d(name: "conv_in", inputs: 1, outputs: 32, kernel: 3, stream: &stream)
        let widths = [32, 64, 128, Self.features]
        blocks = (0..<3).map { index in
            (Conv2d(name: "blocks.\(index).conv", inputs: widths[index], outputs: widths[index + 1], kernel: 3, stride: 2, padding: 1, stream: &stream),
             GroupNorm(name: "blocks.\(index).norm", channels: widths[index + 1], groups: 8),
             Conv2d(name: "blocks.\(index).conv2", inputs: widths[index + 1], outputs: widths[index + 1], kernel: 3, stride: 1, padding: 1, stream: &stream),
             GroupNorm(name: "blocks.\(index).norm2", channels: widths[index + 1], groups: 8))
        }
        head = Linear(name: "head", inputs: Self.features, outputs: 10, stream: &stream)
    }

    public var parameters: [Parameter] { input.parameters + blocks.flatMap { $0.conv.parameters + $0.norm.parameters + $0.conv2.parameters + $0.norm2.parameters } + head.parameters }

    /// The penultimate features [B, 128] of images [B, 1, 32, 32] in [−1, 1].
    public func features(_ images: Variable, on tape: Tape) -> Variable {
        var h = tape.silu(input(images, on: tape))
        for block in blocks {
            h = tape.silu(block.norm(block.conv(h, on: tape), on: tape))
            h = tape.silu(block.norm2(block.conv2(h, on: tape), on: tape))
        }
        return tape.averagePool(h)
    }

    /// The class logits [B, 10].
    public func callAsFunction(_ images: Variable, on tape: Tape) -> Variable {
        head(features(images, on: tape), on: tape)
    }
}
