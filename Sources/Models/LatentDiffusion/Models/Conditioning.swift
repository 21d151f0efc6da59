import Neural

/// What the U-Net's cross-attention reads: the text encoder's tokens of the class name (the
/// trained model), or a learned class embedding (the benchmark configuration). A nil label
/// is the null condition ∅ (the empty prompt).
public enum Conditioning {
    case text(TextEncoder)
    case classes(ClassContext)

    public var parameters: [Parameter] {
        switch self {
        case .text(let encoder): encoder.parameters
        case .classes(let context): context.parameters
        }
    }

    /// The context [B·tokens, channels] of a batch of labels.
    public func callAsFunction(_ labels: [Int?], on tape: Tape) -> Variable {
        switch self {
        case .text(let encoder): encoder(labels.map { $0.map(Prompt.forClass) ?? Prompt.empty }, on: tape)
        case .classes(let context): context(labels.map { $0 ?? 0 }, on: tape)
        }
    }
}
