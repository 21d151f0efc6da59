import Foundation

/// A value that several runs of a check in one process compute identically: the audit runs a
/// check on its correct formula and on each mutation, and a mutation that changes only the
/// last formula (a label, a sign in the verdict) would otherwise redo the expensive,
/// deterministic part (generating images, loading test data) that the truth already did.
///
/// Keys must hold everything the value depends on (parameters, seed, stream, generator), so
/// a cached value is exactly what a fresh computation would give. At most `capacity` values
/// are kept; a full memo forgets everything before storing the next.
public final class RunMemo<Key: Hashable & Sendable, Value>: @unchecked Sendable {  // every access to `values` holds `lock`
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private let capacity: Int

    public init(capacity: Int = 4) {
        precondition(capacity > 0, "a memo holds at least one value")
        self.capacity = capacity
    }

    /// The value for `key`, computed by `compute` the first time. Two threads asking at once
    /// may both compute it (it is the same value); neither waits on the other's computation.
    public func value(for key: Key, compute: () throws -> Value) rethrows -> Value {
        lock.lock()
        let cached = values[key]
        lock.unlock()
        if let cached { return cached }
        let value = try compute()
        lock.lock()
        if values.count >= capacity { values.removeAll() }
        values[key] = value
        lock.unlock()
        return value
    }

    /// How many values are held (for tests).
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return values.count
    }
}
