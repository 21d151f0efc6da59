import CFMAPeak
import Foundation
import Testing

/// `lessons bench toy` reports, beside its speeds, what limits them: the products' FLOPs
/// (counted in `BLAS.gemm`), sgemm's share of the time, and one core's fused multiply-add
/// peak with the ceiling it puts on training and the floor on sampling. Only the counts and
/// the arithmetic are checked here: timings are never asserted in tests.
@Suite("bench toy: the FLOPs and the limits")
struct BenchCLITests {
    /// The toy MLP's layers (inputs, outputs): [x, y, temb(t)] → 128 → 128 → 128 → 2.
    static let layers = [(66, 128), (128, 128), (128, 128), (128, 2)]

    /// One training step's product FLOPs at batch B: the forward products (2·B·in·out each),
    /// the weight gradients (the same again) and the input gradients of every layer but the
    /// first (its input is data, whose gradient nobody needs).
    static func trainingFLOPs(batch: Int) -> Int {
        let perLayer = layers.map { 2 * batch * $0.0 * $0.1 }
        return perLayer.reduce(0, +) * 2 + perLayer.dropFirst().reduce(0, +)
    }

    /// Sampling n points for T steps: each step one shared row temb(t)·W₁[2…] (64 × 128) and,
    /// per point, layers 2–4 (layer 1's x·W₁[0] + y·W₁[1] is element-wise, not a product).
    static func samplingFLOPs(points: Int, steps: Int) -> Int {
        let perPoint = layers.dropFirst().map { 2 * $0.0 * $0.1 }.reduce(0, +)
        return steps * (2 * 64 * 128 + points * perPoint)
    }

    @Test("the JSON's FLOPs are the model's shapes; the ceiling and floor are FLOPs over the peak")
    func toyFigures() throws {
        let result = try Invocation(["bench", "toy", "--train-steps", "10", "--sample-points", "100", "--threads", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let perStep = try #require(figures["trainFLOPsPerStep"] as? Double)
        #expect(Self.trainingFLOPs(batch: 256) == 59_375_616)
        #expect(perStep == Double(Self.trainingFLOPs(batch: 256)))
        let sampling = try #require(figures["sampleFLOPs"] as? Double)
        #expect(sampling == Double(Self.samplingFLOPs(points: 100, steps: 1000)))
        let peak = try #require(figures["corePeakGFLOPS"] as? Double)
        #expect(peak.isFinite && peak > 0)
        // Each sampler's evaluations and time to reach the bar, as `bench samplers` reports them.
        let samplers = try #require(figures["samplers"] as? [String: Any])
        let reach = try #require(samplers["reach"] as? [[String: Any]])
        #expect(reach.map { $0["sampler"] as? String ?? "" } == ["ddim", "euler", "heun", "euler-a", "dpm++2m"])
        #expect(samplers["points"] as? Int == 100 && ((samplers["ddpmSeconds"] as? Double) ?? 0) > 0)
        let ceiling = try #require(figures["trainStepsPerSecondCeiling"] as? Double)
        #expect(abs(ceiling * perStep / (peak * 1e9) - 1) < 1e-12, "training runs on one thread: peak / FLOPs per step")
        let floor = try #require(figures["sampleSecondsFloor"] as? Double)
        #expect(abs(floor * peak * 1e9 * 2 / sampling - 1) < 1e-12, "sampling runs on --threads cores")
        let trainSgemm = try #require(figures["trainSgemmGFLOPS"] as? Double)
        let trainBound = try #require(figures["trainStepsPerSecondSgemmBound"] as? Double)
        #expect(abs(trainBound * perStep / (trainSgemm * 1e9) - 1) < 1e-12, "sgemm's speed / FLOPs per step")
        let sampleSgemm = try #require(figures["sampleSgemmGFLOPS"] as? Double)
        let sampleBound = try #require(figures["sampleSecondsSgemmBound"] as? Double)
        #expect(abs(sampleBound * sampleSgemm * 1e9 * 2 / sampling - 1) < 1e-12, "FLOPs / (sgemm's speed × threads)")
        for key in ["trainSgemmShare", "sampleSgemmShare"] {
            let share = try #require(figures[key] as? Double)
            #expect(share > 0 && share <= 1, "\(key) = \(share)")
        }
        for key in ["trainSgemmGFLOPS", "sampleSgemmGFLOPS", "trainStepsPerSecond", "sampleSeconds"] {
            let value = try #require(figures[key] as? Double)
            #expect(value.isFinite && value > 0, "\(key) = \(value)")
        }
    }

    @Test("the timed kernel runs 12 chains × 8 lanes of a ← 0.999·a + 0.001")
    func peakKernel() throws {
        try #require(fma_peak_supported() != 0, "the project's machines have AVX2 + FMA")
        // Chain j starts at 0.5 + j in each of its 8 lanes; n steps take a to L + (a − L)·bⁿ,
        // with b and c the Float32 values of 0.999 and 0.001 and L = c / (1 − b) ≈ 1.
        let b = Double(Float(0.999)), c = Double(Float(0.001)), limit = c / (1 - b)
        func expected(_ n: Int) -> Double {
            let decay = pow(b, Double(n))
            var sum = 0.0
            for chain in 0..<12 { sum += 8 * (limit + (0.5 + Double(chain) - limit) * decay) }
            return sum
        }
        // Float32 rounding of the sums: about 1e-7 relative (seen: up to 1.3e-7).
        let tolerance = 1e-6
        for n in [0, 1, 2, 1000] {
            let sum = Double(fma_peak_chunk(n, 0))
            #expect(abs(sum / expected(n) - 1) < tolerance, "n = \(n): \(sum) against \(expected(n))")
        }
        // Eleven chains, or one step short, would be off by far more than that.
        #expect(abs(expected(1) * 11 / 12 / expected(1) - 1) > 100 * tolerance)
        #expect(abs(expected(999) / expected(1000) - 1) > 100 * tolerance)
    }
}

@Suite("bench samplers: quality against network evaluations")
struct SamplerBenchCLITests {
    @Test("every sampler has a row per budget, with the evaluations its steps imply and a finite ratio; --plot draws them")
    func rows() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-plot-\(UUID().uuidString)/figures")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let result = try Invocation(["bench", "samplers", "--budgets", "3,6", "--sampler-seeds", "1", "--eval-rounds", "1",
                                     "--sample-points", "200", "--json", "--plot", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOf: folder.appendingPathComponent("samplers-nfe.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("dpm++2m") && svg.contains("bar: 1.50× the floor"))
        let png = try Data(contentsOf: folder.appendingPathComponent("samplers-nfe.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 10, "5 samplers × 2 budgets")
        for row in rows {
            let sampler = try #require(row["sampler"] as? String)
            let (steps, evaluations) = (try #require(row["steps"] as? Int), try #require(row["evaluations"] as? Int))
            #expect(evaluations == (sampler == "heun" ? 2 * steps - 1 : steps), "\(row)")
            #expect(evaluations <= 6)
            let ratio = try #require(row["meanRatio"] as? Double)
            #expect(ratio.isFinite && ratio > 0, "\(row)")
        }
        #expect((report["reach"] as? [[String: Any]])?.count == 5)
        #expect(((report["floor"] as? Double) ?? 0) > 0)
    }

    @Test("--plot into a folder that cannot be written fails with exit 3 before any sampling")
    func unwritablePlotFolder() throws {
        let result = try Invocation(["bench", "samplers", "--plot", "/proc/no-such-folder"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("--plot /proc/no-such-folder: cannot write there"))
        #expect(!result.stderr.contains("DDPM, 1000 steps"), "it sampled before checking the folder")
    }

    @Test("a bad budget is a usage error that says what is accepted")
    func badBudget() throws {
        let result = try Invocation(["bench", "samplers", "--budgets", "0,x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--budgets must list network-evaluation budgets in 1…1000"))
    }
}
