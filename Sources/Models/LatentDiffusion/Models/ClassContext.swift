import Neural
import Stochastic

/// The benchmark U-Net's context: a learned embedding of the class label, [10, tokens·channels],
/// read as `tokens` context tokens of `channels` features (as the PyTorch reference does).
public struct ClassContext {
    public let table: Parameter
    public let tokens: Int, channels: Int

    public init(classes: Int = 10, tokens: Int = 4, channels: Int = 64, stream: inout RandomStream) {
        table = Parameter.normal(name: "classes", shape: [classes, tokens * channels], deviation: 1, stream: &stream)
        self.tokens = tokens
        self.channels = channels
    }

    public var parameters: [Parameter] { [table] }

    /// The context [B·tokens, channels] of a batch of labels.
    public func callAsFunction(_ labels: [Int], on tape: Tape) -> Variable {
        tape.reshape(tape.embedding(table: tape.parameter(table), indices: labels), [labels.count * tokens, channels])
    }
}
