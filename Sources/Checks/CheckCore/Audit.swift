import Stochastic

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

    /// Runs the audit over `definitions` with their default parameters.
    public init(
        _ definitions: [CheckDefinition], seed: UInt64 = 1, generator: RandomGenerator = .xoshiro,
        progress: ((Int, Int, String) -> Void)? = nil
    ) {
        var entries: [Entry] = []
        for (index, definition) in definitions.enumerated() {
            progress?(index, definitions.count, definition.id)
            let truth = (try? definition.run(seed: seed, generator: generator)).map { !$0.isEmpty && $0.allSatisfy(\.pass) } ?? false
            var outcomes: [String: Bool] = [:]
            for mutation in definition.mutations {
                let rows = try? definition.run(seed: seed, mutation: mutation.id, generator: generator)
                outcomes[mutation.id] = rows.map { $0.contains { !$0.pass } } ?? true
            }
            entries.append(Entry(id: definition.id, truthPassed: truth, mutations: outcomes))
        }
        self.entries = entries
        checks = entries.count
        mutations = entries.reduce(0) { $0 + $1.mutations.count }
        killed = entries.reduce(0) { $0 + $1.mutations.values.filter { $0 }.count }
        survived = entries.flatMap { entry in entry.mutations.filter { !$0.value }.keys.sorted().map { "\(entry.id)/\($0)" } }
        truthFailures = entries.filter { !$0.truthPassed }.map(\.id)
    }
}
