import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Gaussian
import Stochastic

/// 002 (SDXL training tricks): offset noise gives the model freedom over an image's mean
/// brightness. With noise ε + c·η, η ~ N(0, 1) one scalar per image, the mean over P pixels of
/// x_T = √ᾱ_T x₀ + √(1−ᾱ_T)(ε + cη) has variance ᾱ_T s² + (1−ᾱ_T)(1/P + c²) when image means
/// have variance s². Without offset (c = 0) the noise barely moves the mean (1/P), so the mean
/// of x_T mostly is the image's mean; the share of its variance the image explains is
/// R² = ᾱ_T s² / Var(mean x_T), and a sampler starting from N(0, I) has none of it.
let offsetNoiseCheck = CheckDefinition(
    id: "notes.offset-noise",
    title: "Offset noise ε + c·η: Var(mean of x_T) = ᾱ_T s² + (1−ᾱ_T)(1/P + c²), and the image's share of it drops",
    parameters: [
        .steps(),
        ParameterSpec("offset", .real(0...1), default: .real(0.1), help: "c, the offset-noise scale"),
        ParameterSpec("pixels", .integer(1...4096), default: .integer(4096), help: "P, pixels per image"),
        ParameterSpec("brightness", .real(0.01...10), default: .real(0.5), help: "s, the sd of the images' mean brightness"),
        .samples(default: 10_000),
    ],
    mutations: [Mutation("no-offset-term", "the offset's variance c² left out of Var(mean of x_T)")],
    verdict: .qualified,
    sources: [Note.n002.at("964–969")]
) { context in
    let schedule = try NoiseSchedule.make(.scaledLinear, steps: context.parameters.integer("T"))
    let steps = schedule.steps
    let pixels = context.parameters.integer("pixels")
    let spread = context.parameters.real("brightness")
    let bar = schedule.alphaBar(steps)
    var stream = context.randomStream
    var rows: [CheckRow] = []
    for c in [0, context.parameters.real("offset")] {
        var means = MomentAccumulator()
        for _ in 0..<context.samples {
            // An image: a random mean brightness plus pixel texture; one offset draw per image.
            let brightness = spread * stream.normal()
            let offset = c * stream.normal()
            var sum = 0.0
            for _ in 0..<pixels {
                let pixel = brightness + 0.1 * stream.normal()
                sum += ForwardProcess.noised(schedule, t: steps, x0: pixel, epsilon: stream.normal() + offset)
            }
            means.add(sum / Double(pixels))
        }
        // The image means have variance s² + 0.01/P (brightness plus averaged texture).
        let imageVariance = spread * spread + 0.01 / Double(pixels)
        let offsetVariance = context.mutated("no-offset-term") ? 0 : c * c
        let noiseVariance = (1 - bar) * (1 / Double(pixels) + offsetVariance)
        let closed = bar * imageVariance + noiseVariance
        rows.append(.monteCarlo("c=\(shortNumber(c)): Var(mean of x_T)", closedForm: closed, estimate: means.varianceEstimate))
        rows.append(.holds("c=\(shortNumber(c)): share of it from the image, R²", value: bar * imageVariance / closed,
                           rule: "reported", pass: true))
    }
    return rows
}
