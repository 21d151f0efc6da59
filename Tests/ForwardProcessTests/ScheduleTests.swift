import ForwardProcess
import Testing

@Suite("Noise schedules")
struct ScheduleTests {
    @Test("every schedule matches the 50-digit reference at every tabulated step", arguments: ScheduleReference.all.map(\.name))
    func reference(name: String) throws {
        let reference = try #require(ScheduleReference.all.first { $0.name == name })
        let schedule = try NoiseSchedule.named(name.replacingOccurrences(of: "zero-SNR", with: "zero-snr"), steps: 1000)
        #expect(!reference.rows.isEmpty, "no rows")
        for row in reference.rows {
            let betaError = abs(schedule.beta(row.t) - row.beta) / row.beta
            #expect(betaError <= 1e-13, "\(name) β at t=\(row.t): rel \(betaError)")
            if row.alphaBar == 0 {
                #expect(schedule.alphaBar(row.t) == 0)
            } else {
                let barError = abs(schedule.alphaBar(row.t) - row.alphaBar) / row.alphaBar
                #expect(barError <= 1e-12, "\(name) ᾱ at t=\(row.t): rel \(barError)")
            }
        }
    }

    @Test("ᾱ decreases strictly and stays in [0, 1); SNR decreases", arguments: NoiseSchedule.names)
    func monotone(name: String) throws {
        let schedule = try NoiseSchedule.named(name)
        #expect(schedule.alphaBar(0) == 1)
        for t in 1...schedule.steps {
            #expect(schedule.alphaBar(t) < schedule.alphaBar(t - 1), "\(name) t=\(t)")
            #expect(schedule.alphaBar(t) >= 0)
            if t > 1 { #expect(schedule.snr(t) < schedule.snr(t - 1)) }
        }
        #expect(schedule.alphaBarPrevious[0] == 1)
        #expect(schedule.alphaBarPrevious[1] == schedule.alphaBar(1))
    }

    @Test("zero terminal SNR: β_T = 1, ᾱ_T = 0, SNR_T = 0, ᾱ₁ kept", arguments: ScheduleKind.allCases)
    func zeroTerminalSNR(kind: ScheduleKind) throws {
        let schedule = try NoiseSchedule.make(kind)
        let rescaled = try schedule.rescaledToZeroTerminalSNR()
        #expect(rescaled.beta(1000) == 1)
        #expect(rescaled.alphaBar(1000) == 0)
        #expect(rescaled.snr(1000) == 0)
        #expect(rescaled.alphaBar(1) == schedule.alphaBar(1))
        // √ᾱ′ is the affine map of √ᾱ fixing t = 1 and sending t = T to 0.
        let (first, last) = (schedule.sqrtAlphaBar(1), schedule.sqrtAlphaBar(1000))
        for t in [2, 10, 500, 999] {
            let expected = (schedule.sqrtAlphaBar(t) - last) * first / (first - last)
            #expect(abs(rescaled.sqrtAlphaBar(t) - expected) / expected < 1e-12, "t=\(t)")
        }
    }

    @Test("linear endpoints are exact; the defaults are DDPM's and Stable Diffusion's")
    func endpoints() throws {
        let linear = try NoiseSchedule.linear()
        #expect(linear.beta(1) == 1e-4 && linear.beta(1000) == 0.02 && linear.steps == 1000)
        let scaled = try NoiseSchedule.scaledLinear()
        #expect(abs(scaled.beta(1) - 0.00085) < 1e-18 && abs(scaled.beta(1000) - 0.012) < 1e-17)
        let short = try NoiseSchedule.linear(steps: 1, start: 0.1, end: 0.2)
        #expect(short.beta == [0.1])
    }

    @Test("invalid requests are clear errors", arguments: [
        ("T", "T must be at least 1"),
        ("range", "must lie in (0, 1)"),
        ("order", "must not exceed"),
        ("name", "unknown schedule 'quadratic'"),
        ("cosine-range", "has no β start/end"),
        ("zero-snr-short", "needs T ≥ 2"),
        ("beta", "β must lie in (0, 1]"),
    ])
    func invalid(kind: String, message: String) {
        do {
            switch kind {
            case "T": _ = try NoiseSchedule.linear(steps: 0)
            case "range": _ = try NoiseSchedule.sigmoid(start: 0, end: 0.02)
            case "order": _ = try NoiseSchedule.scaledLinear(start: 0.02, end: 0.01)
            case "name": _ = try NoiseSchedule.named("quadratic")
            case "cosine-range": _ = try NoiseSchedule.make(.cosine, start: 0.1)
            case "zero-snr-short": _ = try NoiseSchedule.linear(steps: 1).rescaledToZeroTerminalSNR()
            default: _ = try NoiseSchedule(name: "x", beta: [0.1, 1.5])
            }
            Issue.record("accepted an invalid schedule (\(kind))")
        } catch let error as ScheduleError {
            #expect(error.description.contains(message), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
