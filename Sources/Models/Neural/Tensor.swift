import Foundation

/// A dense Float32 tensor, row-major (NCHW for images), owning 64-byte-aligned memory.
///
/// A reference type: the autograd tape, layers and optimizers share tensors and update
/// them in place, and the tape's pool hands the same memory out again on the next step.
public final class Tensor: @unchecked Sendable {
    /// The dimensions, outermost first; their product is `count`.
    public private(set) var shape: [Int]
    /// The number of elements.
    public let count: Int
    /// The elements, `count` of them, valid for the tensor's lifetime.
    public let pointer: UnsafeMutablePointer<Float>

    /// A tensor of zeros. Throws nothing: shapes come from code, and a negative dimension
    /// is a programming error that stops at once.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor dimensions must be ≥ 0, got \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A tensor holding `values` (row-major), whose count must equal the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(zeros: shape)
        precondition(values.count == count, "\(values.count) values for a tensor of shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit { pointer.deallocate() }

    /// The elements as an array (a copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The element at a flat row-major index.
    public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    /// The leading dimension (rows of a matrix, batch of an image tensor).
    public var rows: Int { shape.first ?? 1 }
    /// The elements per leading index (columns of a matrix).
    public var columns: Int { rows == 0 ? 0 : count / rows }

    /// Gives the same memory a new shape with the same element count.
    public func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == count, "cannot view \(shape) as \(newShape)")
        shape = newShape
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        pointer.update(repeating: value, count: count)
    }

    /// Copies the elements of a tensor with the same count.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copying \(other.count) elements into \(count)")
        pointer.update(from: other.pointer, count: count)
    }
}
