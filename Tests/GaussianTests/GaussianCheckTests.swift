import CheckCore
import CheckKit
import Gaussian
import GaussianChecks
import Testing

@Suite("Gaussian checks: the module's own audit, and every truth on a second seed")
struct GaussianCheckTests {
    /// The module's own audit, as `lessons audit` runs it for these checks: on seed 1 every
    /// correct formula passes with at least one row, and every mutation is rejected.
    @Test("the module's audit: every truth passes on seed 1, every mutation is killed")
    func audit() {
        let report = AuditReport(GaussianChecks.all)
        #expect(report.checks == GaussianChecks.all.count && report.problems.isEmpty, "\(report.problems)")
    }

    @Test("every check passes on its correct formula on seed 2 (seed 1: the audit)", arguments: GaussianChecks.all.map(\.id), [UInt64(2)])
    func truthPasses(id: String, seed: UInt64) throws {
        let check = try #require(CheckRegistry(GaussianChecks.all)[id])
        let rows = try check.run(seed: seed)
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.pass, "\(id): \(row)") }
    }

    @Test("every check carries at least one mutation")
    func mutationsExist() {
        for check in GaussianChecks.all { #expect(!check.mutations.isEmpty, "\(check.id)") }
    }
}

/// The identities over several parameter sets (not only the lesson's defaults).
@Suite("Gaussian identities over parameter sets")
struct GaussianParameterSweepTests {
    static let pairs: [[String: ParameterValue]] = [
        ["mean1": .real(0), "variance1": .real(1), "mean2": .real(0), "variance2": .real(1)],
        ["mean1": .real(-5), "variance1": .real(0.01), "mean2": .real(3), "variance2": .real(9)],
        ["mean1": .real(100), "variance1": .real(25), "mean2": .real(-0.5), "variance2": .real(0.3)],
    ]

    @Test("sum, difference, product and KL", arguments: ["gaussian.sum", "gaussian.difference", "gaussian.product", "gaussian.kl"], pairs)
    func pairIdentities(id: String, parameters: [String: ParameterValue]) throws {
        var overriding = parameters
        if id != "gaussian.product" { overriding["samples"] = .integer(500_000) }
        let check = try #require(CheckRegistry(GaussianChecks.all)[id])
        let checkedRows = try check.run(seed: 3, overriding: overriding)
        #expect(!checkedRows.isEmpty, "no rows")
        for row in checkedRows { #expect(row.pass, "\(id) \(parameters): \(row)") }
    }

    @Test("forward merge at DDPM-like and coarse α", arguments: [(0.9999, 0.99995), (0.98, 0.99), (0.5, 0.3)])
    func forwardMerge(alpha: Double, previous: Double) throws {
        let check = try #require(CheckRegistry(GaussianChecks.all)["gaussian.forward-merge"])
        let rows = try check.run(seed: 4, overriding: ["alpha": .real(alpha), "alphaPrevious": .real(previous), "samples": .integer(500_000)])
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(row)") }
    }

    @Test("density, entropy and reparameterization", arguments: ["gaussian.density", "gaussian.entropy", "gaussian.reparameterization"], [(0.0, 1.0), (-3.0, 0.04), (50.0, 400.0)])
    func singleIdentities(id: String, parameters: (Double, Double)) throws {
        let check = try #require(CheckRegistry(GaussianChecks.all)[id])
        let rows = try check.run(seed: 5, overriding: ["mean": .real(parameters.0), "variance": .real(parameters.1), "samples": .integer(500_000)])
        #expect(!rows.isEmpty, "no rows")
        for row in rows { #expect(row.pass, "\(id) \(parameters): \(row)") }
    }
}

@Suite("Gaussian closed forms")
struct GaussianClosedFormTests {
    @Test("N(0,1) at 0 is 1/√(2π); Φ(0) = ½; entropy of N(0,1) is ½ log(2πe)")
    func standardValues() {
        #expect(abs(Gaussian.standard.density(0) - 0.3989422804014327) < 1e-16)
        #expect(Gaussian.standard.cdf(0) == 0.5)
        #expect(abs(Gaussian.standard.entropy - 1.4189385332046727) < 1e-15)
    }

    @Test("the merged forward noise has variance 1 − αₜαₜ₋₁ for any α", arguments: [0.0001, 0.3, 0.9, 0.99999])
    func mergedVariance(alpha: Double) {
        for previous in [0.0001, 0.5, 0.999] {
            let merged = ForwardMerge.noise(alpha: alpha, alphaPrevious: previous)
            let closed = ForwardMerge.mergedVariance(alpha: alpha, alphaPrevious: previous)
            #expect(abs(merged.variance - closed) / closed < 1e-12)
            #expect(merged.mean == 0)
        }
    }

    @Test("diagonal KL is the sum of coordinate KLs, and zero against itself")
    func diagonalKL() {
        let p = DiagonalGaussian(mean: [0, 1], variance: [1, 2])
        let q = DiagonalGaussian(mean: [1, 1], variance: [2, 0.5])
        let sum = klDivergence(Gaussian(mean: 0, variance: 1), Gaussian(mean: 1, variance: 2))
            + klDivergence(Gaussian(mean: 1, variance: 2), Gaussian(mean: 1, variance: 0.5))
        #expect(abs(klDivergence(p, q) - sum) < 1e-15)
        #expect(klDivergence(p, p) == 0)
    }

    @Test("Irwin–Hall: n = 1 is uniform, n = 2 is triangular")
    func irwinHall() {
        for z in stride(from: -1.7, through: 1.7, by: 0.1) {
            let u = 0.5 + z * (1.0 / 12).squareRoot()
            #expect(abs(CentralLimit.exactCDF(1, z) - u) < 1e-14)
            let s = 1 + z * (2.0 / 12).squareRoot()
            let triangle = s <= 1 ? s * s / 2 : 1 - (2 - s) * (2 - s) / 2
            #expect(abs(CentralLimit.exactCDF(2, z) - max(0, min(1, triangle))) < 1e-14)
        }
    }
}

/// Frequencies at n = 100 (once the smallest allowed sample size; now 500, below which
/// `calibrate` found the z-scores too wide): the standard error comes from the claimed
/// probability, so a tail where every draw lands on one side is still a finite z.
/// Before, `gaussian.cdf` failed on 6 of these 40 seeds (every draw below 2, stderr 0, z = ∞).
@Suite("Gaussian checks: frequencies at the smallest sample size")
struct SmallSampleProportionTests {
    @Test("gaussian.cdf and gaussian.density pass at n = 100 on 40 seeds", arguments: ["gaussian.cdf", "gaussian.density"])
    func smallSamples(id: String) throws {
        let check = try #require(CheckRegistry(GaussianChecks.all)[id])
        var proportionRows = 0
        for seed in UInt64(1)...40 {
            let rows = try check.run(seed: seed, overriding: ["samples": .integer(100)])
            #expect(!rows.isEmpty)
            for row in rows { #expect(row.pass, "\(id), seed \(seed): \(row)") }
            proportionRows += rows.filter { $0.monteCarlo != nil }.count
        }
        #expect(proportionRows >= 40)
    }

    @Test("the proportion row's z uses the claimed p₀ and exists when every trial is a hit")
    func scoreTestStandardError() throws {
        let row = CheckRow.proportion("all hits", closedForm: 0.977, hits: 100, trials: 100)
        let z = try #require(row.z)
        #expect(abs(z - 0.023 / (0.977 * 0.023 / 100).squareRoot()) < 1e-12)
        #expect(row.pass)
        // A wrong p₀ is still rejected.
        #expect(!CheckRow.proportion("wrong", closedForm: 0.5, hits: 100, trials: 100).pass)
    }
}
