import Stochastic

/// Doubles the spatial size: nearest-neighbour upsampling ×2, then a 3×3 convolution with
/// padding 1, channels kept ([B, C, H, W] → [B, C, 2H, 2W]). Its convolution is named
/// "name.conv".
public struct Upsample {
    public let conv: Conv2d

    public init(name: String, channels: Int, stream: inout RandomStream) {
        conv = Conv2d(name: name + ".conv", inputs: channels, outputs: channels, kernel: 3, stride: 1, padding: 1, stream: &stream)
    }

    public var parameters: [Parameter] { conv.parameters }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        conv(tape.upsampleNearest(x, factor: 2), on: tape)
    }
}
