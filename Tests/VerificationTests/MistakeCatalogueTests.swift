import ForwardProcess
import Foundation
import Testing
@testable import Verification

/// Every known mistake, planted in a step, is rejected by `verify` and named by it; the
/// correct step passes. (The same against real diffusers schedulers: python/tests.)
@Suite struct MistakeCatalogueTests {
    struct Scenario {
        var kind: StepKind
        var config: SchedulerConfig
        var eta = 0.0
    }

    static var scenarios: [Scenario] {
        var plain = SchedulerConfig()
        plain.clipSample = false
        var large = plain
        large.variance = .fixedLarge
        var learned = plain
        learned.variance = .learnedRange
        var clipped = SchedulerConfig()
        clipped.clipSample = true
        var sample = plain
        sample.prediction = .sample
        var v = plain
        v.prediction = .vPrediction
        var trailing = plain
        trailing.spacing = .trailing
        var noFinalOne = trailing
        noFinalOne.setAlphaToOne = false
        return [
            Scenario(kind: .ddpm, config: plain), Scenario(kind: .ddpm, config: large), Scenario(kind: .ddpm, config: learned),
            Scenario(kind: .ddpm, config: clipped), Scenario(kind: .ddpm, config: sample), Scenario(kind: .ddpm, config: v),
            Scenario(kind: .ddim, config: trailing, eta: 0.5), Scenario(kind: .ddim, config: noFinalOne, eta: 0.5),
            Scenario(kind: .euler, config: trailing), Scenario(kind: .eulerAncestral, config: trailing),
            Scenario(kind: .euler, config: { var c = trailing; c.prediction = .vPrediction; return c }()),
            Scenario(kind: .dpmSolverPlusPlus2M, config: trailing),
            Scenario(kind: .heun, config: trailing),
            Scenario(kind: .flowEuler, config: { var c = trailing; c.shift = 3; return c }()),
            Scenario(kind: .dpmSolver2, config: trailing),
            Scenario(kind: .dpmSolver3, config: trailing),
            Scenario(kind: .dpmSolver3, config: { var c = trailing; c.prediction = .sample; return c }()),
            Scenario(kind: .heun, config: { var c = trailing; c.prediction = .vPrediction; return c }()),
            Scenario(kind: .dpmSolverPlusPlus2M, config: { var c = trailing; c.finalSigma = .sigmaMin; c.prediction = .vPrediction; return c }()),
        ]
    }

    /// Deterministic inputs spread wide enough that clipping matters.
    static func inputs(_ count: Int, seed: Int) -> [Double] {
        (0..<count).map { i -> Double in
            let phase = Double(i * 7 + seed) * 1.37
            return 2.5 * Foundation.sin(phase) + 0.3 * Foundation.cos(Double(i + seed))
        }
    }

    @Test func everyMistakeIsRejectedAndNamed() throws {
        var named: Set<String> = []
        var cases = 0
        for scenario in Self.scenarios {
            let timesteps = scenario.config.spacing.timesteps(7, trainSteps: 1000, offset: 0)
            let betas = scenario.config.betas(as: Double.self)
            let bars = BetaFormula.alphaBar(betas)
            // σ-space steps move between the configuration's σ levels, by index.
            let sigmaSpace = scenario.kind.isSigmaSpace
            let verifier = Verifier<Float64Rounding>(Trace(precision: .float64, scheduler: scenario.kind, config: scenario.config, records: [.alphasCumprod(bars)]))
            let flow = scenario.kind == .flowEuler
            let levels = flow ? verifier.flowLevels(timesteps.count).map(\.value) + [0]
                : verifier.sigmaLevels(count: timesteps.count, karras: false, final: scenario.config.finalSigma).map { $0.value }
            // A flow trace records its levels' timesteps σ·T; the others their integer timesteps.
            let recordedTimesteps = flow ? levels.dropLast().map { $0 * 1000 } : timesteps.map(Double.init)
            let context = StepContext<Float64Rounding>(
                alphaBar: bars.map { .exact($0) }, beta: betas.map { .exact($0) }, config: scenario.config,
                sigmas: sigmaSpace ? levels.map { .exact($0) } : nil)
            // Multistep solvers read the step before: the trace carries every earlier step, correct.
            var history: [StepRecord] = []
            for (position, tau) in timesteps.enumerated() {
                let previous = position + 1 < timesteps.count ? timesteps[position + 1] : -1
                let rule = StepRule(config: scenario.config, kind: scenario.kind, previous: previous)
                let situation = StepSituation(timestep: tau, config: scenario.config, timesteps: timesteps)
                var step = StepRecord(
                    timestep: tau, modelOutput: Self.inputs(32, seed: tau), sample: Self.inputs(32, seed: tau + 1).map { $0 * 1.2 },
                    prevSample: [], noise: Self.inputs(32, seed: tau + 2).map { $0 / 2 },
                    predictedVariance: Self.inputs(32, seed: tau + 3).map { Foundation.sin($0) }, eta: scenario.eta, shape: [1, 32],
                    index: sigmaSpace ? position : nil)
                let secondEvaluation = scenario.kind == .heun && levels[position + 1] > 0
                if secondEvaluation { step.modelOutput2 = Self.inputs(32, seed: tau + 4) }
                let order = scenario.kind.singleStepOrder
                let stageCount = order.map { levels[position + 1] > 0 ? $0 - 1 : 0 } ?? 0
                func verify(_ planted: StepRule) throws -> VerificationReport {
                    // Heun's second model output is read at the predictor the code recorded.
                    step.predictorSample = nil
                    if secondEvaluation { step.predictorSample = context.heunPredictor(step, rule: planted)?.map(\.value) }
                    // Each stage's output is read at the point the code recorded: record them in order.
                    if let order, stageCount > 0 {
                        step.stages = (0..<stageCount).map { .init(modelOutput: Self.inputs(32, seed: tau + 5 + $0)) }
                        for k in 0..<stageCount {
                            step.stages![k].sample = context.singleStepStages(step, rule: planted, order: order)?.stages[k].map(\.value)
                        }
                    }
                    let values = try #require(context.evaluate(step, rule: planted, history: history.last))
                    step.prevSample = values.previous.map { $0.value }
                    step.predOriginalSample = values.x0.map { $0.value }
                    let trace = Trace(
                        precision: .float64, scheduler: scenario.kind, config: scenario.config,
                        records: (flow ? [] : [.alphasCumprod(bars)]) + [.timesteps(inferenceSteps: timesteps.count, values: recordedTimesteps)]
                            + (sigmaSpace ? [.sigmas(levels)] : []) + history.map { .step($0) } + [.step(step)])
                    return Verify.run(trace)
                }
                let truth = try verify(rule)
                #expect(truth.failed == 0 && truth.passed == (sigmaSpace ? 5 : 4) - (flow ? 1 : 0) + (secondEvaluation ? 1 : 0) + stageCount + 2 * history.count, "\(scenario.kind) τ=\(tau): the correct step fails")
                for mistake in MistakeCatalogue.steps where mistake.kinds.contains(scenario.kind) {
                    guard let planted = mistake.plant(rule, situation) else { continue }
                    let report = try verify(planted)
                    let ids = Set(report.findings.flatMap { $0.diagnoses.map(\.id) })
                    // A mistake that changes nothing here (β̃ at the last step is 0 either way) is not a case.
                    if report.failed == 0 { continue }
                    #expect(ids.contains(mistake.id), "\(mistake.id) at \(scenario.kind) τ=\(tau): diagnosed as \(ids.sorted())")
                    named.insert(mistake.id)
                    cases += 1
                }
                if scenario.kind == .dpmSolverPlusPlus2M {
                    _ = try verify(rule)
                    history.append(step)
                }
            }
        }
        #expect(cases > 150)
        let all = Set(MistakeCatalogue.steps.map(\.id))
        #expect(named == all, "never rejected: \(all.subtracting(named).sorted())")
    }
}

/// docs/verify.md lists every step mistake the verifier can name.
@Suite struct MistakeCatalogueDocsTests {
    @Test func theDocsNameEveryStepMistake() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/verify.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let ids = Set(MistakeCatalogue.steps.map(\.id))
        #expect(ids.count > 30)
        for id in ids where !id.hasPrefix("prediction.") {
            #expect(text.contains("`\(id)`"), "docs/verify.md does not list \(id)")
        }
        #expect(text.contains("`prediction.read-as-epsilon|sample|v`"))
    }
}
