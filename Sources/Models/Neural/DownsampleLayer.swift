import Stochastic

/// Halves the spatial size: a 3×3 convolution with stride 2 and padding 1, channels kept
/// ([B, C, H, W] → [B, C, ⌈H/2⌉, ⌈W/2⌉]). Its convolution is named "name.conv".
public struct Downsample {
    public let conv: Conv2d

    public init(name: String, channels: Int, stream: inout RandomStream) {
        conv = Conv2d(name: name + ".conv", inputs: channels, outputs: channels, kernel: 3, stride: 2, padding: 1, stream: &stream)
    }

    public var parameters: [Parameter] { conv.parameters }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        conv(x, on: tape)
    }
}
