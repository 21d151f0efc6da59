import Stochastic

/// A plausible wrong formula a check must reject: the proof that the check can fail.
public struct Mutation: Sendable, Equatable {
    public let id: String
    public let description: String

    public init(_ id: String, _ description: String) {
        self.id = id
        self.description = description
    }
}

/// What a check run receives: validated parameters, the seed of its own random stream,
/// and, when the audit asks for it, the mutation to apply to the formula under test.
public struct CheckContext: Sendable {
    public let parameters: CheckParameters
    public let seed: UInt64
    /// The stream index: each cell of a lesson draws from its own stream.
    public let stream: UInt64
    public let mutation: String?
    /// The generator every draw of the cell comes from (`--rng`).
    public let generator: RandomGenerator

    public init(parameters: CheckParameters, seed: UInt64, stream: UInt64 = 0, mutation: String? = nil,
                generator: RandomGenerator = .xoshiro) {
        self.parameters = parameters
        self.seed = seed
        self.stream = stream
        self.mutation = mutation
        self.generator = generator
    }

    /// True when the named mutation is the one being applied.
    public func mutated(_ id: String) -> Bool { mutation == id }
}

/// The verdict on a claim someone made (in the source notes, a blog, a library): the
/// check's rows are the evidence. A false claim proven false is a passing check.
public enum ClaimVerdict: String, Sendable, Codable, CaseIterable {
    /// The claim holds as stated.
    case `true`
    /// The claim is wrong: the rows show where, and that the correct statement holds.
    case `false`
    /// The claim holds only with a condition left out, or for a reason other than the one given.
    case qualified
    /// A formula written with a notation slip (a wrong subscript, limit or symbol) whose
    /// intended form is clear: the rows show the written form fail and the intended one hold.
    case slip
}

/// A named computation with typed parameters that returns rows of evidence.
public struct CheckDefinition: Sendable {
    public let id: String
    public let title: String
    public let parameters: [ParameterSpec]
    public let mutations: [Mutation]
    /// Set on checks that judge a claim: what the evidence says of it.
    public let verdict: ClaimVerdict?
    /// Where a judged claim is made: "FILE:LINES" entries, e.g. "002_653f28275cd47f58.txt:407".
    public let sources: [String]
    public let run: @Sendable (CheckContext) throws -> [CheckRow]

    public init(
        id: String, title: String, parameters: [ParameterSpec], mutations: [Mutation], verdict: ClaimVerdict? = nil,
        sources: [String] = [], run: @escaping @Sendable (CheckContext) throws -> [CheckRow]
    ) {
        self.id = id
        self.title = title
        self.parameters = parameters
        self.mutations = mutations
        self.verdict = verdict
        self.sources = sources
        self.run = run
    }

    /// The parameters with every default filled in.
    public var defaults: CheckParameters {
        CheckParameters(values: Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.defaultValue) }))
    }

    /// Runs with defaults (and an optional mutation): a convenience for tests.
    public func run(
        seed: UInt64 = 1, mutation: String? = nil, overriding: [String: ParameterValue] = [:], generator: RandomGenerator = .xoshiro
    ) throws -> [CheckRow] {
        var parameters = defaults
        for (name, value) in overriding { parameters.set(name, value) }
        return try run(CheckContext(parameters: parameters, seed: seed, mutation: mutation, generator: generator))
    }
}

/// All checks by id.
public struct CheckRegistry: Sendable {
    public private(set) var checks: [String: CheckDefinition] = [:]

    public init(_ definitions: [CheckDefinition]) {
        for definition in definitions { checks[definition.id] = definition }
    }

    public subscript(id: String) -> CheckDefinition? { checks[id] }

    public var ids: [String] { checks.keys.sorted() }
}

/// An error from a check's own computation (for example quadrature that did not converge).
public struct CheckFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
