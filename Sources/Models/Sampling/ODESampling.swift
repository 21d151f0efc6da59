import ForwardProcess
import ScoreODE
import Stochastic

/// Samplers of the probability-flow ODE (and its ancestral twin) for a discrete-time
/// ε-model, in the σ-space coordinates x = xₜ/√ᾱₜ of `SigmaSpace`.
///
/// **Timesteps on the grid.** K steps visit K of the training steps t (chosen by a
/// `TimestepSpacing`: trailing, Karras or log-SNR), i.e. their σ levels, then σ = 0. Every level is
/// one the network was trained at, so no fractional timestep is needed: Heun's corrector
/// runs at the next level, which is also on the grid. (DPM-Solver-2/3 evaluate between
/// levels, so they are not offered for discrete models.)
/// The denoiser at level σₜ is D = x − σₜ·ε_θ(x/√(σₜ² + 1), t) (eq. 15 in these coordinates).
/// With `clipDenoised` = c every D is clipped to [−c, c]: D is x̂₀, the same number in both
/// coordinates, so this is the clipping of DDPM's released code.
extension DiffusionSampler {
    /// Network evaluations a kind of sampler makes (`SamplerKind.evaluations(of:)`).
    public func evaluations(_ kind: SamplerKind) -> Int { kind.evaluations(of: schedule) }

    func sampleSigmaSpace(count: Int, kind: SamplerKind, seed: UInt64, generator: RandomGenerator, initialNoise: [Float]?, progress: ((Int, Int) -> Void)?) throws -> Result {
        let timesteps = self.timesteps(kind)
        guard schedule.alphaBar(schedule.steps) > 0 else {
            throw ScheduleError("σ-space samplers need ᾱ_T > 0; \(schedule.name) ends at zero SNR, where σ_T is infinite")
        }
        let levels = timesteps.map(schedule.sigma) + [0]
        let stepOf = Dictionary(uniqueKeysWithValues: zip(levels.dropLast(), timesteps))
        var stream = RandomStream(seed: seed, stream: 0x5341_4D50, generator: generator)
        var normals = [Double](repeating: 0, count: denoiser.dimensions * count)
        normals.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
        // x_T ~ N(0, I) in the VP coordinates is x = x_T/√ᾱ_T in σ-space (std init_noise_sigma).
        let scale = schedule.initNoiseSigma
        var x = PointBatch(initialNoise.map { $0.map { Float(scale * Double($0)) } } ?? normals.map { Float(scale * $0) })
        let total = evaluations(kind)
        var done = 0
        var epsilon = [Float](repeating: 0, count: x.values.count)
        let bound = clipDenoised.map(Float.init)
        let denoised: Denoiser<PointBatch> = { x, sigma in
            guard let t = stepOf[sigma] else { throw ScheduleError("σ = \(sigma) is not a level of the model's timesteps") }
            let input = Float(SigmaSpace.modelInputScale(sigma: sigma))
            let xt = x.values.map { input * $0 }
            xt.withUnsafeBufferPointer { points in
                epsilon.withUnsafeMutableBufferPointer { self.denoiser.predict(points.baseAddress!, count: count, index: t - 1, into: $0.baseAddress!) }
            }
            var result = PointBatch.combination([(1, x), (-sigma, PointBatch(epsilon))])
            if let bound { for i in result.values.indices { result.values[i] = min(max(result.values[i], -bound), bound) } }
            done += 1
            progress?(done, total)
            return result
        }
        switch kind {
        case .ode(let solver, _, _):
            x = try solver.solve(from: x, sigmas: levels, denoiser: denoised)
        default:
            for (sigma, next) in zip(levels, levels.dropFirst()) {
                let d = try denoised(x, sigma)
                let split = AncestralSplit(sigma: sigma, next: next)
                if split.up > 0 { normals.withUnsafeMutableBufferPointer { stream.fillNormal($0) } }
                x = split.step(x, denoised: d, sigma: sigma, noise: PointBatch(split.up > 0 ? normals.map(Float.init) : epsilon.map { _ in 0 }))
            }
        }
        return Result(points: x.values, snapshots: [:])
    }
}
