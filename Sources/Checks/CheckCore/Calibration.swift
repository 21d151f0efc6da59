import Foundation
import Stochastic

/// Are the standard errors honest? Every check's correct formula rerun over many seeds: the
/// z-scores of its Monte-Carlo rows must follow N(0, 1) and the p-values of its distribution
/// rows U(0, 1). A row passing at |z| ≤ 5 proves little about its standard error (one twice
/// too large passes every truth); its law over seeds does.
///
/// Three tests, each at the rows' own false-alarm level (p ≥ 5.7·10⁻⁷, |z| ≤ 5):
/// Kolmogorov–Smirnov of the z-scores against Φ; their variance against 1 (the sample
/// variance with its fourth-moment standard error: a stated standard error scaled by f
/// shows as a variance of 1/f²); Kolmogorov–Smirnov of the p-values against U(0, 1).
public struct CalibrationReport: Sendable, Codable {
    /// The law of a set of z-scores and p-values.
    public struct Statistics: Sendable, Codable {
        /// Finite z-scores tested.
        public let zCount: Int
        public let meanZ: Double?
        /// The sample variance of z, its standard error and (var − 1)/stderr.
        public let varianceZ: Double?
        public let varianceZStderr: Double?
        public let varianceZScore: Double?
        /// Kolmogorov–Smirnov of z against N(0, 1).
        public let zKSStatistic: Double?
        public let zKSPValue: Double?
        /// Rows with |z| > 5 (false alarms of the correct formula).
        public let beyondBound: Int
        /// z-scores that were ±∞ or NaN (a standard error that collapsed to 0).
        public let nonFinite: Int
        /// Power at the stated resolution: a row's `resolution` is the relative error of the closed
        /// form that moves z by 10 (10·stderr/|value|), so with the closed form off by it, in either
        /// direction, the row's z would be z ∓ 10. The share of those that fail (|z ∓ 10| > 5), and
        /// the share that would fail with an error of a tenth of it (|z ∓ 1| > 5). Required: ≥ 99 %
        /// and ≤ 1 %.
        public let powerAtResolution: Double?
        public let failuresAtTenth: Double?
        /// p-values of distribution rows tested, and Kolmogorov–Smirnov of them against U(0, 1).
        public let pCount: Int
        public let pKSPValue: Double?
        /// What is mis-calibrated, in words; empty when calibrated.
        public let problems: [String]
        public var calibrated: Bool { problems.isEmpty }

        /// The variance test needs this many z-scores (its standard error comes from the fourth moment).
        public static let minimumForVariance = 20

        public init(z: [Double], p: [Double]) {
            let finite = z.filter(\.isFinite)
            zCount = finite.count
            nonFinite = z.count - finite.count
            beyondBound = z.filter { !(abs($0) <= Verdict.zBound) }.count
            pCount = p.count
            var problems: [String] = []
            if nonFinite > 0 { problems.append("\(nonFinite) non-finite z") }
            if finite.isEmpty {
                (powerAtResolution, failuresAtTenth) = (nil, nil)
                (meanZ, varianceZ, varianceZStderr, varianceZScore, zKSStatistic, zKSPValue) = (nil, nil, nil, nil, nil, nil)
            } else {
                let shifted = { (shift: Double) in
                    Double(finite.reduce(0) { $0 + (abs($1 - shift) > Verdict.zBound ? 1 : 0) + (abs($1 + shift) > Verdict.zBound ? 1 : 0) })
                        / Double(2 * finite.count)
                }
                let (power, tenth) = (shifted(10), shifted(1))
                (powerAtResolution, failuresAtTenth) = (power, tenth)
                if power < 0.99 { problems.append("power at the stated resolution \(shortNumber(power)) < 0.99") }
                if tenth > 0.01 { problems.append("a tenth of the resolution fails \(shortNumber(tenth)) > 0.01") }
                let moments = MomentAccumulator(finite)
                meanZ = moments.meanEstimate.mean
                let ks = KolmogorovSmirnov(samples: finite, cdf: StandardNormal.cdf)
                (zKSStatistic, zKSPValue) = (ks.statistic, ks.pValue)
                if ks.pValue < Verdict.pValueBound { problems.append("z is not N(0, 1) (KS p = \(shortNumber(ks.pValue)))") }
                if finite.count >= Self.minimumForVariance {
                    let variance = moments.varianceEstimate
                    let score = variance.zScore(expected: 1)
                    (varianceZ, varianceZStderr, varianceZScore) = (variance.mean, variance.standardError, score)
                    if !(abs(score) <= Verdict.zBound) {
                        problems.append("var(z) = \(shortNumber(variance.mean)) ± \(shortNumber(variance.standardError)), not 1 (z = \(shortNumber(score)))")
                    }
                } else {
                    (varianceZ, varianceZStderr, varianceZScore) = (nil, nil, nil)
                }
            }
            if p.isEmpty {
                pKSPValue = nil
            } else {
                let ks = KolmogorovSmirnov(samples: p) { min(max($0, 0), 1) }
                pKSPValue = ks.pValue
                if ks.pValue < Verdict.pValueBound { problems.append("p is not U(0, 1) (KS p = \(shortNumber(ks.pValue)))") }
            }
            self.problems = problems
        }
    }

    /// One check over every seed.
    public struct Entry: Sendable, Codable {
        public let id: String
        /// Statistical rows per run (Monte-Carlo and distribution rows).
        public let rowsPerRun: Int
        /// Runs that threw or whose truth failed a non-statistical row, as "seed: reason".
        public let failures: [String]
        public let statistics: Statistics
        public var calibrated: Bool { statistics.calibrated && failures.isEmpty }
    }

    public let seeds: Int
    public let generator: RandomGenerator
    /// Every stated standard error multiplied by this (1 unless planted to prove the report can fail).
    public let stderrFactor: Double
    /// The sample size given to every sampling check, when overridden.
    public let samples: Int?
    public let entries: [Entry]
    /// Every check's z-scores and p-values pooled.
    public let overall: Statistics
    /// Checks with statistical rows that are mis-calibrated.
    public var miscalibrated: [String] { entries.filter { !$0.calibrated }.map(\.id) }
    public var calibrated: Bool { overall.calibrated && miscalibrated.isEmpty }

    /// Runs each definition's correct formula on seeds 1…`seeds`. `stderrFactor` scales every
    /// Monte-Carlo row's standard error after the fact (z ↦ z/f): the planted mistake the
    /// report must catch. Checks without statistical rows are left out.
    public init(
        _ definitions: [CheckDefinition], seeds: Int, generator: RandomGenerator = .xoshiro, samples: Int? = nil,
        stderrFactor: Double = 1, progress: ((_ done: Int, _ total: Int, _ id: String) -> Void)? = nil
    ) {
        var entries: [Entry] = []
        var allZ: [Double] = [], allP: [Double] = []
        for (index, definition) in definitions.enumerated() {
            var z: [Double] = [], p: [Double] = [], failures: [String] = []
            var rowsPerRun = 0
            var overriding: [String: ParameterValue] = [:]
            if let samples, definition.parameters.contains(where: { $0.name == "samples" }) { overriding["samples"] = .integer(samples) }
            progress?(index * seeds, definitions.count * seeds, definition.id)
            let runs = Self.runSeeds(definition, seeds: seeds, overriding: overriding, generator: generator)
            for (offset, run) in runs.enumerated() {
                let seed = offset + 1
                do {
                    let rows = try run.get()
                    let statistical = rows.filter { $0.z != nil || $0.pValue != nil }
                    rowsPerRun = max(rowsPerRun, statistical.count)
                    for row in statistical {
                        if let value = row.z { z.append(value / stderrFactor) }
                        if let value = row.pValue { p.append(value) }
                    }
                    if let broken = rows.first(where: { $0.z == nil && $0.pValue == nil && !$0.pass }) {
                        failures.append("seed \(seed): \(broken.quantity) failed")
                    }
                } catch {
                    failures.append("seed \(seed): \(error)")
                }
            }
            guard rowsPerRun > 0 || !failures.isEmpty else { continue }
            entries.append(Entry(id: definition.id, rowsPerRun: rowsPerRun, failures: failures, statistics: Statistics(z: z, p: p)))
            allZ += z
            allP += p
        }
        self.seeds = seeds
        self.generator = generator
        self.stderrFactor = stderrFactor
        self.samples = samples
        self.entries = entries
        overall = Statistics(z: allZ, p: allP)
    }

    /// The correct formula's rows on seeds 1…`seeds`, two seeds at a time (each run is
    /// independent and deterministic in its seed, so the order of completion does not matter).
    static func runSeeds(
        _ definition: CheckDefinition, seeds: Int, overriding: [String: ParameterValue], generator: RandomGenerator
    ) -> [Result<[CheckRow], any Error>] {
        let results = SeedResults(count: seeds)
        let workers = min(2, seeds)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for seed in stride(from: worker + 1, through: seeds, by: workers) {
                results.set(seed - 1, Result { try definition.run(seed: UInt64(seed), overriding: overriding, generator: generator) })
            }
        }
        return results.values
    }
}

/// The runs of one check, filled from two threads.
private final class SeedResults: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var storage: [Result<[CheckRow], any Error>]

    init(count: Int) { storage = Array(repeating: .success([]), count: count) }

    func set(_ index: Int, _ result: Result<[CheckRow], any Error>) {
        lock.lock()
        storage[index] = result
        lock.unlock()
    }

    var values: [Result<[CheckRow], any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
