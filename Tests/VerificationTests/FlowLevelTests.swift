import Foundation
import Testing
@testable import Verification

/// The flow-matching levels: SD3's (t evenly from 1 to 1/T, shifted once) pass; diffusers'
/// double shift of the lowest level (issue 13243), no shift and the inverted shift are each
/// rejected and named.
@Suite struct FlowLevelTests {
    static func config(shift: Double) -> SchedulerConfig {
        var config = SchedulerConfig()
        config.shift = shift
        return config
    }

    static func report(_ sigmas: [Double], shift: Double) -> VerificationReport {
        Verify.run(Trace(precision: .float32, scheduler: .flowEuler, config: config(shift: shift), records: [.sigmas(sigmas)]))
    }

    @Test func theLevelsAreSD3sAndEachWrongLevelIsNamed() throws {
        let (shift, t) = (3.0, 1000.0)
        func shifted(_ u: Double, _ s: Double = shift) -> Double { s * u / (1 + (s - 1) * u) }
        // Written out here: u evenly from 1 to 1/T over K = 5 levels.
        let ramp = (0..<5).map { 1 + Double($0) * (1 / t - 1) / 4 }
        let levels = ramp.map { shifted($0) } + [0]
        #expect(abs(levels[4] - 3.0 / 1000 / (1 + 2.0 / 1000)) < 1e-15)
        // Float32 rounding of the levels passes; the wrong levels differ by ≥ 10⁻⁴ relative.
        let truth = Self.report(levels.map { Double(Float($0)) }, shift: shift)
        #expect(truth.failed == 0 && truth.passed == 1)
        let low = shifted(1 / t)
        let wrong: [(String, [Double])] = [
            ("sigmas.flow-double-shift", (0..<5).map { shifted(1 + Double($0) * (low - 1) / 4) } + [0]),
            ("sigmas.flow-unshifted", ramp + [0]),
            ("sigmas.flow-shift-inverted", ramp.map { shifted($0, 1 / shift) } + [0]),
        ]
        #expect(wrong.count == 3)
        for (id, values) in wrong {
            let report = Self.report(values, shift: shift)
            #expect(report.failed == 1, "\(id) passes")
            #expect(report.findings.flatMap { $0.diagnoses.map(\.id) }.contains(id), "\(id) not named: \(report.findings.map(\.diagnoses))")
        }
    }
}
