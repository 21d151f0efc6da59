import Foundation

/// The schedules the notes discuss.
public enum ScheduleKind: String, CaseIterable, Sendable, Codable {
    case linear
    case scaledLinear = "scaled-linear"
    case cosine
    case sigmoid
}

/// The β formulas of the named schedules, written once over `ScheduleScalar`: the lessons
/// evaluate them in Double (`NoiseSchedule.linear` and friends), and `lessons verify` in
/// rounding-bounded numbers, to know how far a Float32 implementation may honestly be off.
public enum BetaFormula {
    /// linspace(a, b, n): n evenly spaced values from a to b inclusive.
    public static func linspace<R: ScheduleScalar>(_ a: R, _ b: R, _ n: Int) -> [R] {
        n == 1 ? [a] : (0..<n).map { i in i == n - 1 ? b : a + (b - a) * R(Double(i)) / R(Double(n - 1)) }
    }

    /// DDPM's linear schedule (Ho et al. 2020, §4): βₜ evenly spaced from `start` to `end`.
    public static func linear<R: ScheduleScalar>(steps: Int, start: Double, end: Double) -> [R] {
        linspace(R(start), R(end), steps)
    }

    /// Stable Diffusion's "scaled linear" schedule: βₜ = (linspace(√start, √end, T))².
    public static func scaledLinear<R: ScheduleScalar>(steps: Int, start: Double, end: Double) -> [R] {
        linspace(R(start.squareRoot()), R(end.squareRoot()), steps).map { $0 * $0 }
    }

    /// The cosine schedule (Nichol & Dhariwal 2021, eq. 17): ᾱ(t) = f(t)/f(0) with
    /// f(t) = cos²(((t/T) + s)/(1 + s) · π/2), and βₜ = min(1 − ᾱ(t)/ᾱ(t−1), maxBeta).
    /// The clipping (0.999) keeps the last steps from being singular near t = T.
    ///
    /// Numerically, 1 − f(t)/f(t−1) loses about five digits to cancellation when βₜ ≈ 10⁻⁵;
    /// it is evaluated as the equal expression sin(a + b)·sin(a − b)/cos²(b), with a and b
    /// the angles of t and t − 1 (cos²b − cos²a = sin(a+b) sin(a−b)), which keeps full
    /// precision.
    public static func cosine<R: ScheduleScalar>(steps: Int, offset s: Double, maxBeta: Double) -> [R] {
        func angle(_ t: Int) -> R { (R(Double(t)) / R(Double(steps)) + R(s)) / (R(1) + R(s)) * R(Double.pi) / R(2) }
        return (1...steps).map { t -> R in
            let a = angle(t), b = angle(t - 1)
            let cosB = R.cos(b)
            return R.minimum(R.sin(a + b) * R.sin(a - b) / (cosB * cosB), R(maxBeta))
        }
    }

    /// The sigmoid schedule: βₜ = σ(linspace(−6, 6, T))·(end − start) + start, σ the logistic function.
    public static func sigmoid<R: ScheduleScalar>(steps: Int, start: Double, end: Double) -> [R] {
        linspace(R(-6), R(6), steps).map { x in R(1) / (R(1) + R.exp(R(0) - x)) * (R(end) - R(start)) + R(start) }
    }

    /// ᾱₜ = (1 − β₁)(1 − β₂)⋯(1 − βₜ), the running product (DDPM eq. 4's αₜ = 1 − βₜ).
    public static func alphaBar<R: ScheduleScalar>(_ beta: [R]) -> [R] {
        var product = R(1)
        return beta.map { b in
            product = product * (R(1) - b)
            return product
        }
    }

    /// Zero terminal SNR (Lin et al. 2024, Algorithm 1): shift √ᾱ so that √ᾱ_T = 0 and
    /// scale it so that √ᾱ₁ is unchanged, then recover αₜ = ᾱₜ/ᾱₜ₋₁ and βₜ = 1 − αₜ.
    /// The last step gets β_T = 1: x_T is pure noise, with no signal leak.
    ///
    /// Numerically, 1 − ᾱ′ₜ/ᾱ′ₜ₋₁ cancels catastrophically when βₜ is small (β₁ = 10⁻⁴ would
    /// keep only 12 digits in Double, 3 in Float32). With ρₜ = √ᾱₜ the rescaled ratio is
    /// qₜ = (ρₜ − ρ_T)/(ρₜ₋₁ − ρ_T), and 1 − qₜ = dₜ/Dₜ with the exact differences
    /// dₛ = ρₛ₋₁ − ρₛ = ρₛ₋₁ βₛ/(1 + √αₛ) and Dₜ = Σₛ₌ₜ^T dₛ, all positive; then
    /// β′ₜ = 1 − qₜ² = u(2 − u) with u = dₜ/Dₜ. β′₁ = β₁ because ᾱ₁ is kept. Needs T ≥ 2.
    public static func rescaledToZeroTerminalSNR<R: ScheduleScalar>(_ beta: [R]) -> [R] {
        let steps = beta.count
        let alphaBar = alphaBar(beta)
        let differences = (1...steps).map { s in
            (s == 1 ? R(1) : alphaBar[s - 2].squareRoot()) * beta[s - 1] / (R(1) + (R(1) - beta[s - 1]).squareRoot())
        }
        var tail = [R](repeating: R(0), count: steps + 1)  // tail[i] = Σ_{j ≥ i} differences[j]
        for i in stride(from: steps - 1, through: 0, by: -1) { tail[i] = tail[i + 1] + differences[i] }
        var rescaled = [beta[0]]
        for i in 1..<steps {
            let u = differences[i] / tail[i]
            rescaled.append(u * (R(2) - u))
        }
        return rescaled
    }
}

extension NoiseSchedule {
    static func validateRange(_ start: Double, _ end: Double, steps: Int) throws {
        guard steps >= 1 else { throw ScheduleError("T must be at least 1 (got \(steps))") }
        guard start > 0, start < 1, end > 0, end < 1 else {
            throw ScheduleError("β start and end must lie in (0, 1) (got \(start) and \(end))")
        }
        guard start <= end else { throw ScheduleError("β start must not exceed β end (got \(start) > \(end))") }
    }

    /// DDPM's linear schedule (`BetaFormula.linear`).
    public static func linear(steps: Int = 1000, start: Double = 1e-4, end: Double = 0.02) throws -> NoiseSchedule {
        try validateRange(start, end, steps: steps)
        return try NoiseSchedule(name: "linear(\(start), \(end))", beta: BetaFormula.linear(steps: steps, start: start, end: end))
    }

    /// Stable Diffusion's "scaled linear" schedule (`BetaFormula.scaledLinear`).
    public static func scaledLinear(steps: Int = 1000, start: Double = 0.00085, end: Double = 0.012) throws -> NoiseSchedule {
        try validateRange(start, end, steps: steps)
        return try NoiseSchedule(name: "scaled-linear(\(start), \(end))", beta: BetaFormula.scaledLinear(steps: steps, start: start, end: end))
    }

    /// The cosine schedule (`BetaFormula.cosine`).
    public static func cosine(steps: Int = 1000, offset s: Double = 0.008, maxBeta: Double = 0.999) throws -> NoiseSchedule {
        guard steps >= 1 else { throw ScheduleError("T must be at least 1 (got \(steps))") }
        guard s > 0, s < 1 else { throw ScheduleError("the cosine offset s must lie in (0, 1) (got \(s))") }
        guard maxBeta > 0, maxBeta <= 1 else { throw ScheduleError("the maximum β must lie in (0, 1] (got \(maxBeta))") }
        return try NoiseSchedule(name: "cosine(s=\(s))", beta: BetaFormula.cosine(steps: steps, offset: s, maxBeta: maxBeta))
    }

    /// The sigmoid schedule (`BetaFormula.sigmoid`).
    public static func sigmoid(steps: Int = 1000, start: Double = 1e-4, end: Double = 0.02) throws -> NoiseSchedule {
        try validateRange(start, end, steps: steps)
        return try NoiseSchedule(name: "sigmoid(\(start), \(end))", beta: BetaFormula.sigmoid(steps: steps, start: start, end: end))
    }

    /// A schedule of the given kind with its default parameters (or the given β range).
    public static func make(_ kind: ScheduleKind, steps: Int = 1000, start: Double? = nil, end: Double? = nil) throws -> NoiseSchedule {
        switch kind {
        case .linear: return try linear(steps: steps, start: start ?? 1e-4, end: end ?? 0.02)
        case .scaledLinear: return try scaledLinear(steps: steps, start: start ?? 0.00085, end: end ?? 0.012)
        case .cosine:
            guard start == nil, end == nil else { throw ScheduleError("the cosine schedule has no β start/end (it is defined through ᾱ)") }
            return try cosine(steps: steps)
        case .sigmoid: return try sigmoid(steps: steps, start: start ?? 1e-4, end: end ?? 0.02)
        }
    }

    /// Zero terminal SNR (`BetaFormula.rescaledToZeroTerminalSNR`, Lin et al. 2024, Algorithm 1).
    public func rescaledToZeroTerminalSNR() throws -> NoiseSchedule {
        guard steps >= 2 else { throw ScheduleError("zero-terminal-SNR rescaling needs T ≥ 2 (got \(steps))") }
        return try NoiseSchedule(name: name + "+zero-SNR", beta: BetaFormula.rescaledToZeroTerminalSNR(beta))
    }
}

extension NoiseSchedule {
    /// The schedule names a lesson cell or the CLI accepts: each kind, and each with
    /// "+zero-snr" for the rescaled version.
    public static let names: [String] = ScheduleKind.allCases.flatMap { [$0.rawValue, $0.rawValue + "+zero-snr"] }

    /// A schedule by name (see `names`) with default β ranges and T steps.
    public static func named(_ name: String, steps: Int = 1000) throws -> NoiseSchedule {
        let rescale = name.hasSuffix("+zero-snr")
        let base = rescale ? String(name.dropLast("+zero-snr".count)) : name
        guard let kind = ScheduleKind(rawValue: base) else {
            throw ScheduleError("unknown schedule '\(name)' (accepted: \(names.joined(separator: ", ")))")
        }
        let schedule = try make(kind, steps: steps)
        return rescale ? try schedule.rescaledToZeroTerminalSNR() : schedule
    }
}
