import ArgumentParser
import Charts
import Foundation
import Neural
import Sampling
import ScoreODE
import Stochastic
import ToyDiffusion

/// `lessons bench samplers`: for each sampler of the toy model, the sample quality (SW₂ over
/// the noise floor) at a range of network-evaluation budgets, the time each run takes, and
/// the smallest budget that reaches the quality bar.
struct SamplerBenchOptions: ParsableArguments {
    @Option(name: .customLong("budgets"), help: "samplers: network-evaluation budgets to try, comma-separated (each 1…1000).")
    var budgets = "5,10,15,20,30,50"

    @Option(name: .customLong("sampler-seeds"), help: "samplers: sampling seeds per budget, averaged (1…100).")
    var samplerSeeds = 3

    @Option(name: .customLong("eval-rounds"), help: "samplers: fresh data samples (and floor pairs) SW₂ is averaged over (1…100).")
    var evalRounds = 10

    @Option(name: .customLong("bar"), help: "samplers: the quality bar, SW₂ as a multiple of the noise floor (> 1).")
    var bar = 1.5

    @Option(name: .customLong("spacing"), help: "samplers: the timestep spacing of the σ-space samplers (DDIM is always trailing): \(TimestepSpacing.allCases.map(\.rawValue).joined(separator: ", ")).")
    var spacing: TimestepSpacing = .logSNR

    @Option(name: .customLong("checkpoint"), help: "samplers: the swiss-roll checkpoint (default: Models/swissroll.safetensors).")
    var checkpoint: String?

    @Option(name: .customLong("plot"), help: "samplers: also draw SW₂ over the floor against network evaluations, one line per sampler, into DIR/samplers-nfe.svg and .png (DIR is created if missing and checked before the work starts).")
    var plot: String?

    var budgetList: [Int] { budgets.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let list = budgetList
        guard !list.isEmpty, list.count == budgets.split(separator: ",").count, list.allSatisfy({ (1...1000).contains($0) }) else {
            throw ValidationError("--budgets must list network-evaluation budgets in 1…1000, comma-separated, e.g. 5,10,20 (got \(budgets))")
        }
        guard (1...100).contains(samplerSeeds) else { throw ValidationError("--sampler-seeds must be between 1 and 100 (got \(samplerSeeds))") }
        guard (1...100).contains(evalRounds) else { throw ValidationError("--eval-rounds must be between 1 and 100 (got \(evalRounds))") }
        guard bar.isFinite, bar > 1 else { throw ValidationError("--bar must be a number above 1 (got \(bar))") }
    }

    /// One sampler at one budget: SW₂ over the floor per seed, and seconds per run.
    struct Row: Encodable {
        var sampler: String
        var spacing: String
        var steps: Int
        var evaluations: Int
        var ratios: [Double]
        var meanRatio: Double
        var medianSeconds: Double
    }

    /// The first budget at which a sampler's mean ratio is within the bar.
    struct Reach: Encodable {
        var sampler: String
        var evaluations: Int?
        var seconds: Double?
        var meanRatio: Double?
    }

    struct Report: Encodable {
        var points: Int
        var threads: Int
        var bar: Double
        var floor: Double
        var rows: [Row]
        var reach: [Reach]
        var ddpmSeconds: Double
        var ddpmMeanRatio: Double
    }

    /// The samplers compared, with the steps K that a budget of B evaluations allows.
    func candidates() -> [(name: String, kind: (Int) -> SamplerKind, steps: (Int) -> Int)] {
        [
            ("ddim", { .ddim(steps: $0, eta: 0) }, { $0 }),
            ("euler", { .ode(solver: .euler, steps: $0, spacing: spacing) }, { $0 }),
            ("heun", { .ode(solver: .heun, steps: $0, spacing: spacing) }, { ($0 + 1) / 2 }),
            ("euler-a", { .eulerAncestral(steps: $0, spacing: spacing) }, { $0 }),
            ("dpm++2m", { .ode(solver: .dpmPlusPlus2M, steps: $0, spacing: spacing) }, { $0 }),
        ]
    }

    /// Measures, draws `--plot`, and prints the report (text, or JSON unless `printJSON` is
    /// false, for `bench toy`, which embeds it in its own JSON). Returns the report.
    @discardableResult
    func run(points: Int, threads: Int, json: Bool, printJSON: Bool = true) throws -> Report {
        guard points >= 2 else { throw ValidationError("bench samplers needs --sample-points ≥ 2 (got \(points))") }
        let plotFolder = plot.map { URL(fileURLWithPath: $0) }
        if let plotFolder { try OutputLocation.requireWritable(folder: plotFolder, option: "--plot", exitCode: 3) }
        let model = try ToyModelFile.load(checkpoint, dataset: .swissroll)
        let inference = DenoiserInference(weights: model.weights, embedding: SinusoidalEmbedding(dimensions: EpsilonMLP.embeddingDimensions, steps: model.schedule.steps), threads: threads)
        let sampler = DiffusionSampler(schedule: model.schedule, denoiser: inference)
        // R data samples as references on shared directions, and R independent samples for the floor.
        var data: [[Point2]] = [], others: [[Point2]] = []
        for round in 0..<evalRounds {
            var first = RandomStream(seed: 0x464C_4F4F, stream: UInt64(2 * round)), second = RandomStream(seed: 0x464C_4F4F, stream: UInt64(2 * round + 1))
            data.append(ToyDataset.swissroll.sample(points, stream: &first))
            others.append(ToyDataset.swissroll.sample(points, stream: &second))
        }
        var directionStream = RandomStream(seed: 0x534C_4943)
        let references = try SlicedWasserstein.Reference(data, directions: SlicedWasserstein.directions(SlicedWasserstein.defaultProjections, stream: &directionStream))
        let floors = try zip(data, others).map { try SlicedWasserstein.distance($0, $1, directions: references.directions) }
        let floor = floors.reduce(0, +) / Double(floors.count)
        func score(_ kind: SamplerKind, seed: UInt64) throws -> (ratio: Double, seconds: Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try sampler.sample(count: points, kind: kind, seed: seed)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cloud = stride(from: 0, to: 2 * points, by: 2).map { Point2(Double(result.points[$0]), Double(result.points[$0 + 1])) }
            guard cloud.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return (.infinity, seconds) }
            let distances = try references.distances(to: cloud)
            return (distances.reduce(0, +) / Double(distances.count) / floor, seconds)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        if !json { Terminal.note("DDPM, 1000 steps, \(points) points: the reference run…") }
        let ddpm = try score(.ddpm(variance: .large), seed: 0)
        var rows: [Row] = [], reach: [Reach] = []
        for candidate in candidates() {
            var reached: Reach?
            for budget in budgetList.sorted() {
                let steps = max(candidate.steps(budget), 1)
                let kind = candidate.kind(steps)
                let evaluations = sampler.evaluations(kind)
                if rows.contains(where: { $0.sampler == candidate.name && $0.evaluations == evaluations }) { continue }
                if !json { Terminal.note("\(candidate.name), \(steps) steps (\(evaluations) evaluations)…") }
                let runs = try (0..<UInt64(samplerSeeds)).map { try score(kind, seed: $0) }
                let ratios = runs.map(\.ratio)
                let row = Row(sampler: candidate.name, spacing: candidate.name == "ddim" ? "trailing" : spacing.rawValue, steps: steps,
                              evaluations: evaluations, ratios: ratios, meanRatio: ratios.reduce(0, +) / Double(ratios.count),
                              medianSeconds: median(runs.map(\.seconds)))
                rows.append(row)
                if reached == nil, row.meanRatio <= bar {
                    reached = Reach(sampler: candidate.name, evaluations: evaluations, seconds: row.medianSeconds, meanRatio: row.meanRatio)
                }
            }
            reach.append(reached ?? Reach(sampler: candidate.name, evaluations: nil, seconds: nil, meanRatio: nil))
        }
        let report = Report(points: points, threads: threads, bar: bar, floor: floor, rows: rows, reach: reach,
                            ddpmSeconds: ddpm.seconds, ddpmMeanRatio: ddpm.ratio)
        if let folder = plotFolder {
            let figure = Self.chart(report)
            for format in [ImageFormat.svg, .png] {
                let file = folder.appendingPathComponent("samplers-nfe").appendingPathExtension(format.fileExtension)
                do { try figure.write(to: file, format: format) } catch let error as ChartError {
                    Terminal.printError("figure samplers-nfe: \(error.description)")
                    throw ExitCode(3)
                }
                FileHandle.standardError.write(Data("wrote \(file.path)\n".utf8))
            }
        }
        if json {
            if printJSON { try Terminal.printJSON(report) }
            return report
        }
        print(String(format: "Toy samplers on %@: %d points, %d thread(s); SW₂ over the floor (%.5f, mean of %d data pairs), mean of %d sampling seeds",
                     model.path, points, threads, floor, evalRounds, samplerSeeds))
        print("sampler   spacing    steps  evaluations  SW₂/floor  (per seed)              seconds")
        for row in rows {
            let seeds = row.ratios.map { String(format: "%.2f", $0) }.joined(separator: " ")
            print(String(format: "%-9@ %-10@ %5d  %11d  %9.2f  %-22@ %7.3f", row.sampler as NSString, row.spacing as NSString,
                         row.steps, row.evaluations, row.meanRatio, seeds as NSString, row.medianSeconds))
        }
        print(String(format: "DDPM, 1000 steps: %.2f × the floor in %.2f s (seed 0)", ddpm.ratio, ddpm.seconds))
        for r in reach {
            if let evaluations = r.evaluations, let seconds = r.seconds, let ratio = r.meanRatio {
                print(String(format: "%@ reaches ≤ %.2f× the floor at %d evaluations: %.2f× in %.3f s, %.0f× faster than DDPM's 1000 steps",
                             r.sampler as NSString, bar, evaluations, ratio, seconds, ddpm.seconds / seconds))
            } else {
                print(String(format: "%@ does not reach ≤ %.2f× the floor within the budgets", r.sampler as NSString, bar))
            }
        }
        return report
    }

    /// SW₂ over the noise floor against network evaluations, log–log: one line per sampler,
    /// DDPM's 1000 steps as a point, and the quality bar.
    static func chart(_ report: Report) -> Figure {
        let names = report.rows.map(\.sampler).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var series = names.compactMap { name -> Series? in
            let rows = report.rows.filter { $0.sampler == name && $0.meanRatio.isFinite }
            guard let first = rows.first else { return nil }
            return Series(name: "\(name) (\(first.spacing))", x: rows.map { Foundation.log2(Double($0.evaluations)) }, y: rows.map(\.meanRatio), style: .lines)
        }
        series.append(Series(name: "ddpm, 1000 steps", x: [Foundation.log2(1000)], y: [report.ddpmMeanRatio], style: .points(size: 1.5)))
        let span = series.flatMap(\.x)
        series.append(Series(name: String(format: "bar: %.2f× the floor", report.bar), x: [span.min() ?? 0, span.max() ?? 10], y: [report.bar, report.bar]))
        return Figure(Chart(title: "Toy swiss roll: SW₂ over the noise floor against network evaluations (\(report.points) points)",
                            xLabel: "log2 evaluations", yLabel: "SW₂ / floor", series: series, logarithmicY: true))
    }
}
