import CheckCore
import Stochastic

/// The result of one executed check cell.
public struct CellResult: Sendable, Codable {
    public let id: String
    public let title: String
    public let line: Int
    public let rows: [CheckRow]
    /// Set when the check could not be computed; the cell then counts as failed.
    public let error: String?
    /// Every row passed (and there was at least one).
    public let pass: Bool
    /// The verdict on the claim the check judges, when it judges one.
    public let verdict: ClaimVerdict?
    /// Where that claim is made ("FILE:LINES"), when the check judges one.
    public let sources: [String]?

    public init(
        id: String, title: String, line: Int, rows: [CheckRow], error: String?, verdict: ClaimVerdict? = nil, sources: [String] = []
    ) {
        self.id = id
        self.title = title
        self.line = line
        self.rows = rows
        self.error = error
        self.verdict = verdict
        self.sources = sources.isEmpty ? nil : sources
        self.pass = error == nil && !rows.isEmpty && rows.allSatisfy(\.pass)
    }
}

/// An executed lesson: every cell's rows and the counts of passed and failed checks.
public struct LessonResult: Sendable, Codable {
    public let lesson: String
    public let title: String
    public let seed: UInt64
    /// The generator of the draws when it is not the default xoshiro (`--rng`); absent otherwise.
    public let generator: RandomGenerator?
    public let passed: Int
    public let failed: Int
    public let checks: [CellResult]

    public init(lesson: String, title: String, seed: UInt64, generator: RandomGenerator = .xoshiro, checks: [CellResult]) {
        self.lesson = lesson
        self.title = title
        self.seed = seed
        self.generator = generator == .xoshiro ? nil : generator
        self.checks = checks
        self.passed = checks.filter(\.pass).count
        self.failed = checks.count - passed
    }
}

/// Validates and executes a lesson's check cells.
public struct LessonRunner: Sendable {
    public let registry: CheckRegistry
    /// The figure names plot cells may use.
    public let figures: [String]

    /// The largest `samples:` a cell may give (the kernel's cap), nil for none beyond each check's range.
    public let samplesCap: Int?

    public init(registry: CheckRegistry, figures: [String] = [], samplesCap: Int? = nil) {
        self.registry = registry
        self.figures = figures
        self.samplesCap = samplesCap
    }

    /// Binds every cell first, so a bad cell anywhere is reported before any work starts.
    public func bind(_ lesson: Lesson) throws -> [(CheckCell, CheckDefinition, CheckParameters)] {
        for plot in lesson.plots where !figures.contains(plot.name) {
            let accepted = figures.isEmpty ? "none are available here" : "accepted: " + figures.joined(separator: ", ")
            throw LessonError(file: plot.file, line: plot.line, "unknown figure '\(plot.name)' (\(accepted))")
        }
        return try lesson.cells.map { cell in
            let (definition, parameters) = try CellBinding.bind(cell, registry: registry, samplesCap: samplesCap)
            return (cell, definition, parameters)
        }
    }

    /// Runs every cell with its own random stream (the cell's index) of `seed`, drawn from
    /// `generator`. `samples` replaces the sample size of every sampling check; `progress` is
    /// told before each cell starts.
    public func run(
        _ lesson: Lesson, seed: UInt64, samples: Int? = nil, generator: RandomGenerator = .xoshiro,
        progress: ((_ done: Int, _ total: Int, _ id: String) -> Void)? = nil
    ) throws -> LessonResult {
        let bound = try bind(lesson)
        var results: [CellResult] = []
        for (number, (cell, definition, parameters)) in bound.enumerated() {
            progress?(number, bound.count, cell.id)
            var parameters = parameters
            if let samples, definition.parameters.contains(where: { $0.name == "samples" }) {
                parameters.set("samples", .integer(samples))
            }
            let context = CheckContext(parameters: parameters, seed: seed, stream: UInt64(cell.index), generator: generator)
            do {
                let rows = try definition.run(context)
                results.append(CellResult(id: cell.id, title: definition.title, line: cell.line, rows: rows, error: nil,
                                          verdict: definition.verdict, sources: definition.sources))
            } catch {
                results.append(CellResult(id: cell.id, title: definition.title, line: cell.line, rows: [], error: "\(error)",
                                          verdict: definition.verdict, sources: definition.sources))
            }
        }
        return LessonResult(lesson: lesson.name, title: lesson.title, seed: seed, generator: generator, checks: results)
    }
}
