import Neural
import Stochastic

/// What one model learns from a batch of Fashion-MNIST examples: its parameters, and the
/// loss it records on a tape. `stream` supplies the batch's own randomness (noise, t,
/// dropped prompts), so a checkpointed stream resumes the same draws.
public protocol LatentTrainingTask: AnyObject {
    var kind: LatentModelKind { get }
    var parameters: [Parameter] { get }
    /// The loss of the examples `indices` of the training set.
    func loss(indices: [Int], stream: inout RandomStream, on tape: Tape) -> Variable
    /// Settings to keep in the checkpoint's metadata (e.g. the latent scale factor).
    var metadata: [String: String] { get }
}
