import ForwardProcess
import Foundation
import Testing
@testable import Verification

/// Every formula record (q_sample, velocity, conversion, posterior, snr, loss_weight, cfg):
/// its reference passes, and each known mistake, planted in the recorded value, is rejected
/// and named. (The same against real diffusers functions and learner code: python/tests.)
@Suite struct FormulaMistakeTests {
    static func inputs(_ count: Int, seed: Int) -> [Double] {
        (0..<count).map { i in 1.7 * Foundation.sin(Double(i * 5 + seed) * 0.91) + 0.2 * Foundation.cos(Double(i + 3 * seed)) }
    }

    /// The record with its outputs replaced (in the order `evaluate` lists them).
    static func withOutputs(_ formula: FormulaRecord, _ outputs: [[Double]]) -> FormulaRecord {
        switch formula {
        case .qSample(let t, let x0, let noise, _): return .qSample(timestep: t, x0: x0, noise: noise, value: outputs[0])
        case .velocity(let t, let x0, let noise, _): return .velocity(timestep: t, x0: x0, noise: noise, value: outputs[0])
        case .conversion(var r): r.value = outputs[0]; return .conversion(r)
        case .posterior(var r):
            var position = 0
            if r.mean != nil { r.mean = outputs[0]; position = 1 }
            if r.variance != nil { r.variance = outputs[position][0] }
            return .posterior(r)
        case .snr(let timesteps, _): return .snr(timesteps: timesteps, values: outputs[0])
        case .lossWeight(var r): r.values = outputs[0]; return .lossWeight(r)
        case .guidance(var r): r.value = outputs[0]; return .guidance(r)
        }
    }

    static var scenarios: [(SchedulerConfig, FormulaRecord)] {
        let plain = SchedulerConfig()
        var large = plain
        large.variance = .fixedLarge
        let n = 24
        let x0 = inputs(n, seed: 1), noise = inputs(n, seed: 2), xt = inputs(n, seed: 3)
        var records: [(SchedulerConfig, FormulaRecord)] = [
            (plain, .qSample(timestep: 500, x0: x0, noise: noise, value: [])),
            (plain, .qSample(timestep: 0, x0: x0, noise: noise, value: [])),
            (plain, .velocity(timestep: 300, x0: x0, noise: noise, value: [])),
            (plain, .posterior(.init(timestep: 500, previous: 499, x0: x0, xt: xt, mean: [], variance: 0))),
            (plain, .posterior(.init(timestep: 500, previous: 300, x0: x0, xt: xt, mean: [], variance: 0))),
            (plain, .posterior(.init(timestep: 10, previous: -1, x0: x0, xt: xt, mean: [], variance: nil))),
            (plain, .snr(timesteps: [0, 100, 500, 900, 999], values: [])),
            (plain, .snr(timesteps: [1, 100, 500, 900], values: [])),
            (plain, .guidance(.init(scale: 7.5, convention: .diffusers, rescale: 0.7, unconditional: x0, conditional: noise, value: [], batch: 2))),
            (plain, .guidance(.init(scale: 3, convention: .hoSalimans, rescale: 0, unconditional: x0, conditional: noise, value: [], batch: 1))),
        ]
        let targets: [FormulaRecord.Conversion.Target] = [.epsilon, .sample, .vPrediction]
        for from in targets {
            for to in targets + [.score] where to != from {
                records.append((plain, .conversion(.init(timestep: 400, from: from, to: to, xt: xt, input: noise, value: []))))
            }
        }
        // SNR crosses γ = 5 near τ ≈ 200 on the linear schedule: both branches of the min.
        let timesteps = [1, 50, 150, 250, 600, 999]
        for prediction in SchedulerConfig.PredictionType.allCases {
            records.append((plain, .lossWeight(.init(weighting: .minSNR, gamma: 5, prediction: prediction, timesteps: timesteps, values: []))))
            for config in [plain, large] {
                records.append((config, .lossWeight(.init(weighting: .vlb, gamma: nil, prediction: prediction, timesteps: timesteps, values: []))))
            }
        }
        return records
    }

    @Test func everyFormulaMistakeIsRejectedAndNamed() throws {
        var named: Set<String> = []
        var offered: Set<String> = []
        var cases = 0
        let scenarios = Self.scenarios
        #expect(scenarios.count > 25)
        for (config, formula) in scenarios {
            let base = Trace(precision: .float64, scheduler: nil, config: config, records: [.formula(formula)])
            let evaluation = try #require(Verifier<Float64Rounding>(base).evaluate(formula), "\(formula.quantity) has no reference")
            let truth = Verify.run(Trace(precision: .float64, scheduler: nil, config: config,
                                         records: [.formula(Self.withOutputs(formula, evaluation.outputs.map { $0.expected.map(\.value) }))]))
            #expect(truth.failed == 0 && truth.passed == evaluation.outputs.count, "\(formula.quantity): the reference fails")
            #expect(!evaluation.variants.isEmpty)
            for variant in evaluation.variants {
                offered.insert(variant.id)
                let planted = Self.withOutputs(formula, variant.outputs.map { $0.map(\.value) })
                let report = Verify.run(Trace(precision: .float64, scheduler: nil, config: config, records: [.formula(planted)]))
                // A mistake that changes nothing here (ᾱ/SNR off by one where it is flat) is not a case.
                if report.failed == 0 { continue }
                let ids = Set(report.findings.flatMap { $0.diagnoses.map(\.id) })
                #expect(ids.contains(variant.id), "\(variant.id) in \(formula.quantity): diagnosed as \(ids.sorted())")
                named.insert(variant.id)
                cases += 1
            }
        }
        #expect(cases > 80)
        #expect(named == offered, "never rejected: \(offered.subtracting(named).sorted())")
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/verify.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for id in named { #expect(text.contains("`\(id)`"), "docs/verify.md does not list \(id)") }
    }

    /// A float32 rounding of the reference passes; a relative change of 10⁻⁴ does not.
    @Test func float32RoundingPassesAndASmallSlipDoesNot() throws {
        let formula = FormulaRecord.qSample(timestep: 700, x0: Self.inputs(64, seed: 7), noise: Self.inputs(64, seed: 8), value: [])
        let evaluation = try #require(Verifier<Float32Rounding>(Trace(precision: .float32, scheduler: nil, config: SchedulerConfig(), records: [.formula(formula)])).evaluate(formula))
        let rounded = evaluation.outputs[0].expected.map { Double(Float($0.value)) }
        let pass = Verify.run(Trace(precision: .float32, scheduler: nil, config: SchedulerConfig(), records: [.formula(Self.withOutputs(formula, [rounded]))]))
        #expect(pass.failed == 0 && pass.passed == 1)
        let slipped = rounded.map { $0 * (1 + 1e-4) }
        let fail = Verify.run(Trace(precision: .float32, scheduler: nil, config: SchedulerConfig(), records: [.formula(Self.withOutputs(formula, [slipped]))]))
        #expect(fail.failed == 1 && fail.findings[0].diagnoses.isEmpty)
    }
}
