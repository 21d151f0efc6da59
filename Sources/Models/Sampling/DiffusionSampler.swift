import ForwardProcess
import Posterior
import ScoreODE
import Stochastic

/// How to run the reverse process.
public enum SamplerKind: Sendable, Equatable {
    /// DDPM Algorithm 2 over every step T…1, with σₜ² = β̃ₜ (`.small`) or βₜ (`.large`).
    case ddpm(variance: ReverseVariance)
    /// DDIM (Song et al. 2021) over `steps` evenly spaced steps τ₁ < … < τ_K = T, with η.
    case ddim(steps: Int, eta: Double)
    /// A probability-flow ODE solver over `steps` steps in σ-space (`ODESampling`).
    case ode(solver: ODESolver, steps: Int, spacing: TimestepSpacing)
    /// Euler ancestral (η = 1) over `steps` steps in σ-space: DDIM with η = 1.
    case eulerAncestral(steps: Int, spacing: TimestepSpacing)
}

extension SamplerKind {
    /// The steps visited, from T down: every step for DDPM, τ_K … τ₁ for DDIM (trailing),
    /// and the σ-space samplers' steps by their spacing.
    public func timesteps(of schedule: NoiseSchedule) -> [Int] {
        switch self {
        case .ddpm: return Array((1...schedule.steps).reversed())
        case .ddim(let steps, _): return TimestepSpacing.trailing.timesteps(steps, of: schedule)
        case .ode(_, let steps, let spacing), .eulerAncestral(let steps, let spacing): return spacing.timesteps(steps, of: schedule)
        }
    }

    /// The network evaluations a run makes.
    public func evaluations(of schedule: NoiseSchedule) -> Int {
        let k = timesteps(of: schedule).count
        switch self {
        case .ddpm, .ddim, .eulerAncestral: return k
        // Every step to a level > 0 costs `evaluationsPerStep`; the step to 0 costs one.
        case .ode(let solver, _, _): return (k - 1) * solver.evaluationsPerStep + 1
        }
    }
}

/// Anything that predicts ε for many points at one step: the trained MLP
/// (`DenoiserInference`), the exact E[ε | xₜ] of Gaussian-mixture data, or a latent U-Net
/// with guidance (whose points are whole latents).
public protocol EpsilonPredictor {
    /// The numbers per point: 2 for the toy data, 4·8·8 for a latent.
    var dimensions: Int { get }
    /// Writes ε for `count` points (each `dimensions` numbers, contiguous) at model index
    /// t − 1 into `output`.
    func predict(_ points: UnsafePointer<Float>, count: Int, index: Int, into output: UnsafeMutablePointer<Float>)
}

/// Draws points from a trained denoiser: x_T ~ N(0, I), then reverse steps whose
/// coefficients come from `ReverseStep.ancestralMap` / `ReverseStep.ddimMap` (the Double
/// formulas of the Posterior module), applied to Float32 points.
public struct DiffusionSampler {
    public let schedule: NoiseSchedule
    public let denoiser: any EpsilonPredictor

    /// If set to c, every step first clips the predicted x̂₀ = (xₜ − √(1 − ᾱₜ) ε)/√ᾱₜ
    /// (eq. 15) to [−c, c] per coordinate and replaces ε by the one that clipped x̂₀
    /// implies, so the step's mean is the posterior mean μ̃ₜ(xₜ, clip(x̂₀)) of eq. 7
    /// (`ReverseStep.viaX0`; DDPM's released code does this for images with c = 1). That
    /// mean is a contraction of xₜ plus a bounded term, so no trajectory can run away where
    /// the network extrapolates badly. nil (the default) is Algorithm 2 as written.
    public var clipDenoised: Double?

    /// Applied to every step's coefficients: the identity, except in checks that prove
    /// they notice a wrong step.
    let adjust: @Sendable (AffineStep) -> AffineStep

    public init(schedule: NoiseSchedule, denoiser: any EpsilonPredictor) {
        self.init(schedule: schedule, denoiser: denoiser, adjust: { $0 })
    }

    package init(schedule: NoiseSchedule, denoiser: any EpsilonPredictor, adjust: @escaping @Sendable (AffineStep) -> AffineStep) {
        self.schedule = schedule
        self.denoiser = denoiser
        self.adjust = adjust
    }

    /// The points at each diffusion step listed in `snapshots` (after the step to that t;
    /// T itself is the starting noise, 0 the final samples) plus the final points, each
    /// point's `dimensions` numbers contiguous (x and y interleaved for the toy data).
    public struct Result: Sendable {
        public let points: [Float]
        public let snapshots: [Int: [Float]]
    }

    /// The steps visited, from T down (`SamplerKind.timesteps(of:)`).
    public func timesteps(_ kind: SamplerKind) -> [Int] { kind.timesteps(of: schedule) }

    /// Snapshots are kept for DDPM and DDIM; the σ-space samplers return the final points only.
    /// `initialNoise` (count × dimensions standard normals) replaces the seed's draw of x_T,
    /// e.g. to start from another program's noise; the seed still drives every later step's
    /// noise, which is drawn as if x_T had been.
    public func sample(
        count: Int, kind: SamplerKind, seed: UInt64, generator: RandomGenerator = .xoshiro, snapshots: Set<Int> = [],
        initialNoise: [Float]? = nil, progress: ((Int, Int) -> Void)? = nil
    ) throws -> Result {
        if let initialNoise {
            precondition(initialNoise.count == count * denoiser.dimensions, "\(initialNoise.count) initial noise values for \(count) points of \(denoiser.dimensions)")
        }
        // Each step's affine map, from its step t and the next one; σ-space samplers go elsewhere.
        let stepMap: (Int, Int) throws -> AffineStep
        switch kind {
        case .ddpm(let variance): stepMap = { t, _ in try ReverseStep.ancestralMap(self.schedule, t: t, variance: variance) }
        case .ddim(_, let eta): stepMap = { t, previous in ReverseStep.ddimMap(self.schedule, t: t, previous: previous, eta: eta) }
        case .ode, .eulerAncestral: return try sampleSigmaSpace(count: count, kind: kind, seed: seed, generator: generator, initialNoise: initialNoise, progress: progress)
        }
        var stream = RandomStream(seed: seed, stream: 0x5341_4D50, generator: generator)
        var normals = [Double](repeating: 0, count: denoiser.dimensions * count)
        var x = [Float](repeating: 0, count: denoiser.dimensions * count)
        var epsilon = x
        normals.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
        for i in x.indices { x[i] = initialNoise?[i] ?? Float(normals[i]) }
        var kept: [Int: [Float]] = [:]
        if snapshots.contains(schedule.steps) { kept[schedule.steps] = x }
        let path = timesteps(kind)
        for (position, t) in path.enumerated() {
            let previous = position + 1 < path.count ? path[position + 1] : 0
            let map = adjust(try stepMap(t, previous))
            x.withUnsafeBufferPointer { points in
                epsilon.withUnsafeMutableBufferPointer { denoiser.predict(points.baseAddress!, count: count, index: t - 1, into: $0.baseAddress!) }
            }
            if let clipDenoised { Self.clip(&epsilon, points: x, bound: Float(clipDenoised), Parameterization(schedule, t: t)) }
            // Algorithm 2 adds no noise on the last step (z = 0 at t = 1).
            let addsNoise = previous > 0 && map.noise > 0
            if addsNoise { normals.withUnsafeMutableBufferPointer { stream.fillNormal($0) } }
            let a = Float(map.xt), b = Float(map.epsilon), c = addsNoise ? Float(map.noise) : 0
            for i in x.indices {
                x[i] = a * x[i] + b * epsilon[i] + c * Float(normals[i])
            }
            if snapshots.contains(previous) { kept[previous] = x }
            progress?(position + 1, path.count)
        }
        return Result(points: x, snapshots: kept)
    }

    /// Replaces ε where x̂₀ = a·xₜ + b·ε lies outside [−bound, bound] by ε = c·xₜ + d·clip(x̂₀),
    /// the coefficients read off `Parameterization`.
    static func clip(_ epsilon: inout [Float], points x: [Float], bound: Float, _ conversions: Parameterization) {
        let toX0 = conversions.x0FromEpsilonMap, toEpsilon = conversions.epsilonFromX0Map
        let a = Float(toX0.xt), b = Float(toX0.epsilon), c = Float(toEpsilon.xt), d = Float(toEpsilon.x0)
        for i in x.indices {
            let x0 = a * x[i] + b * epsilon[i]
            if abs(x0) > bound { epsilon[i] = c * x[i] + d * min(max(x0, -bound), bound) }
        }
    }
}
