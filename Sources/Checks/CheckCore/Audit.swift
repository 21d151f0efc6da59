import Dispatch
import Stochastic
import Synchronization

/// The mutation audit: every check run on its correct formula and on each of its
/// mutations. A mutation is killed when the check rejects it (a failing row, or the check
/// cannot be computed at all); a surviving mutation is a check that cannot catch that error.
public struct AuditReport: Sendable, Codable {
    /// One check's result.
    public struct Entry: Sendable, Codable {
        public let id: String
        /// The correct formula passed every row.
        public let truthPassed: Bool
        /// Mutation id → killed.
        public let mutations: [String: Bool]
    }

    public let checks: Int
    public let mutations: Int
    public let killed: Int
    /// "check-id/mutation-id" of every mutation the check did not reject.
    public let survived: [String]
    /// Checks whose correct formula failed (should be none).
    public let truthFailures: [String]
    public let entries: [Entry]

    /// Every truth passed and every mutation was killed.
    public var clean: Bool { survived.isEmpty && truthFailures.isEmpty }

    /// What keeps the audit from proving anything, one line each: no checks, no mutations,
    /// a truth that failed (or gave no rows), a mutation that survived. Empty when the audit
    /// is a proof that every check can fail and passes when right.
    public var problems: [String] {
        (checks == 0 ? ["no checks"] : []) + (mutations == 0 ? ["no mutations"] : [])
            + truthFailures.map { "\($0): the correct formula failed" } + survived.map { "\($0): the mutation survived" }
    }

    /// Runs the audit over `definitions` with their default parameters, on `workers` threads
    /// that each take the next check not yet started (checks are independent: each draws from
    /// its own streams, so the report is the same for any number of workers). `progress` gets
    /// the number of checks started before this one, the total and the check's id.
    public init(
        _ definitions: [CheckDefinition], seed: UInt64 = 1, generator: RandomGenerator = .xoshiro, workers: Int = 1,
        progress: (@Sendable (Int, Int, String) -> Void)? = nil
    ) {
        let next = Atomic<Int>(0)
        let results = Mutex<[Int: Entry]>([:])
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, definitions.count))) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < definitions.count else { return }
                let definition = definitions[index]
                progress?(index, definitions.count, definition.id)
                let entry = Self.audit(definition, seed: seed, generator: generator)
                results.withLock { $0[index] = entry }
            }
        }
        let entries = results.withLock { found in definitions.indices.compactMap { found[$0] } }
        self.entries = entries
        checks = entries.count
        mutations = entries.reduce(0) { $0 + $1.mutations.count }
        killed = entries.reduce(0) { $0 + $1.mutations.values.filter { $0 }.count }
        survived = entries.flatMap { entry in entry.mutations.filter { !$0.value }.keys.sorted().map { "\(entry.id)/\($0)" } }
        truthFailures = entries.filter { !$0.truthPassed }.map(\.id)
    }

    /// One check on its correct formula and on each of its mutations.
    static func audit(_ definition: CheckDefinition, seed: UInt64, generator: RandomGenerator) -> Entry {
        let truth = (try? definition.run(seed: seed, generator: generator)).map { !$0.isEmpty && $0.allSatisfy(\.pass) } ?? false
        var outcomes: [String: Bool] = [:]
        for mutation in definition.mutations {
            let rows = try? definition.run(seed: seed, mutation: mutation.id, generator: generator)
            outcomes[mutation.id] = rows.map { $0.contains { !$0.pass } } ?? true
        }
        return Entry(id: definition.id, truthPassed: truth, mutations: outcomes)
    }
}
