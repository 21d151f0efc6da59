/// A value recorded on a `Tape`: an index into its nodes.
public struct Variable: Sendable, Hashable {
    public let index: Int
}

/// Reverse-mode automatic differentiation over tensor operations (a Wengert list, like
/// micrograd but over tensors).
///
/// Every operation appends a node holding its output and a closure that, given the
/// gradient of the output, adds the gradients of its inputs (the chain rule: for
/// y = f(x), ∂L/∂x += (∂y/∂x)ᵀ ∂L/∂y). `backward(from:)` seeds ∂L/∂L = 1 and runs the
/// closures in reverse order. Parameters are leaves whose gradient is the parameter's
/// own `grad` tensor, so gradients accumulate across uses until an optimizer step clears
/// them. `reset()` hands every intermediate tensor back to a pool, so a training loop
/// allocates nothing after its first step.
public final class Tape {
    struct Node {
        var value: Tensor
        var gradient: Tensor?
        /// Adds this node's input gradients, given its own gradient.
        var backward: ((Tape, Tensor) -> Void)?
        /// True for parameter leaves: the gradient belongs to the parameter, not the pool.
        var ownsGradient: Bool
        var ownsValue: Bool
        /// Temporaries the backward closure reads (e.g. σ(x) of SiLU), pooled on `reset`.
        var extras: [Tensor] = []
    }

    private(set) var nodes: [Node] = []
    private var pool: [Int: [Tensor]] = [:]

    public init() {
        nodes.reserveCapacity(64)
    }

    /// The number of recorded nodes.
    public var count: Int { nodes.count }

    /// The output of a recorded operation.
    public func value(_ variable: Variable) -> Tensor { nodes[variable.index].value }

    /// The gradient ∂L/∂variable after `backward`, or nil if nothing flowed into it.
    public func gradient(_ variable: Variable) -> Tensor? { nodes[variable.index].gradient }

    /// A leaf holding a copy of `values` (inputs, targets): no gradient is kept for it
    /// beyond the tape.
    public func constant(_ values: Tensor) -> Variable {
        let tensor = scratch(values.shape)
        tensor.copy(from: values)
        return append(Node(value: tensor, gradient: nil, backward: nil, ownsGradient: false, ownsValue: false))
    }

    /// A leaf whose memory the caller fills in place (avoids a copy for inputs assembled
    /// each step).
    public func input(shape: [Int], fill: (UnsafeMutablePointer<Float>) -> Void) -> Variable {
        let tensor = scratch(shape)
        fill(tensor.pointer)
        return append(Node(value: tensor, gradient: nil, backward: nil, ownsGradient: false, ownsValue: false))
    }

    /// A trainable leaf: reads `parameter.value`, and `backward` adds into `parameter.gradient`.
    public func parameter(_ parameter: Parameter) -> Variable {
        precondition(!isRecording || parameter.hasGradient, "parameter \(parameter.name) was built for inference: a recording tape cannot train it")
        return append(Node(value: parameter.value, gradient: isRecording ? parameter.gradient : nil, backward: nil, ownsGradient: true, ownsValue: true))
    }

    /// Records an operation whose output `value` was computed by the caller (from the
    /// tape's `scratch` memory) and whose `backward` adds the input gradients.
    public func record(_ value: Tensor, extras: [Tensor] = [], backward: @escaping (Tape, Tensor) -> Void) -> Variable {
        append(Node(value: value, gradient: nil, backward: isRecording ? backward : nil, ownsGradient: false, ownsValue: false, extras: extras))
    }

    /// False for inference: operations then skip what only `backward` needs, and no
    /// closure is kept.
    public var isRecording = true

    /// ∂L/∂variable for an operation's input, created as zeros on first use, to add into.
    public func gradientToAccumulate(_ variable: Variable) -> Tensor {
        if let existing = nodes[variable.index].gradient { return existing }
        let fresh = scratch(nodes[variable.index].value.shape)
        Parts.elements(fresh.count) { range in (fresh.pointer + range.lowerBound).update(repeating: 0, count: range.count) }
        nodes[variable.index].gradient = fresh
        return fresh
    }

    /// True if a gradient must flow into `variable` (it is not a constant leaf).
    public func needsGradient(_ variable: Variable) -> Bool {
        let node = nodes[variable.index]
        return node.ownsGradient || node.backward != nil
    }

    /// Backpropagates from a scalar output (∂L/∂L = 1) through every recorded operation.
    public func backward(from loss: Variable) {
        precondition(value(loss).count == 1, "backward starts from a scalar; got shape \(value(loss).shape)")
        gradientToAccumulate(loss)[0] += 1
        for index in stride(from: loss.index, through: 0, by: -1) {
            guard let step = nodes[index].backward, let gradient = nodes[index].gradient else { continue }
            step(self, gradient)
        }
    }

    /// Forgets every node and returns their memory to the pool (parameters are untouched).
    public func reset() {
        for node in nodes {
            if !node.ownsValue { pool[node.value.count, default: []].append(node.value) }
            if !node.ownsGradient, let gradient = node.gradient { pool[gradient.count, default: []].append(gradient) }
            for extra in node.extras { pool[extra.count, default: []].append(extra) }
        }
        nodes.removeAll(keepingCapacity: true)
    }

    /// Memory for an operation's output or a temporary, from the pool when possible.
    /// Its contents are arbitrary: the caller overwrites every element.
    public func scratch(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        if let tensor = pool[count]?.popLast() {
            tensor.reshape(shape)
            return tensor
        }
        return Tensor(zeros: shape)
    }

    /// Returns a temporary from `scratch` to the pool before `reset` (for memory an
    /// operation only needs while it runs).
    public func recycle(_ tensor: Tensor) {
        pool[tensor.count, default: []].append(tensor)
    }

    private func append(_ node: Node) -> Variable {
        nodes.append(node)
        return Variable(index: nodes.count - 1)
    }
}
