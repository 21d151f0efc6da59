import CheckCore
import LatentDiffusionChecks
import Testing

@Suite("The latent-diffusion checks")
struct LatentChecksTests {
    /// The module's own audit, as `lessons audit` runs it for these checks (on the committed
    /// models in Models/): on seed 1 every correct formula passes with at least one row, and
    /// every mutation is rejected.
    @Test("the module's audit: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(LatentChecks.all)
        #expect(report.checks == LatentChecks.all.count && report.checks == 6 && report.problems.isEmpty, "\(report.problems)")
    }
}
