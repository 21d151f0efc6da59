import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Stochastic

/// With ᾱ_T > 0, x_T still carries √ᾱ_T of the image: its mean follows the image's mean.
let signalLeakCheck = CheckDefinition(
    id: "forward.signal-leak",
    title: "Signal leak: the mean of x_T regressed on the mean of x₀ has slope √ᾱ_T",
    parameters: [
        .schedule(default: "scaled-linear"), .steps(),
        ParameterSpec("pixels", .integer(1...4096), default: .integer(64), help: "pixels per image"),
        ParameterSpec("brightness", .real(0.01...10), default: .real(0.5), help: "sd of the images' mean brightness"),
        .samples(default: 100_000),
    ],
    mutations: [Mutation("pure-noise", "x_T taken as pure noise: slope 0, residual variance 1/pixels")],
    run: signalLeakRows
)

@Sendable
func signalLeakRows(_ context: CheckContext) throws -> [CheckRow] {
    let schedule = try context.schedule
    let steps = schedule.steps
    let pixels = context.parameters.integer("pixels")
    let spread = context.parameters.real("brightness")
    let (signal, noise) = (schedule.sqrtAlphaBar(steps), schedule.sqrtOneMinusAlphaBar(steps))
    var stream = context.randomStream
    var imageMeans: [Double] = [], noisedMeans: [Double] = []
    for _ in 0..<context.parameters.integer("samples") {
        // An image: a random brightness plus pixel texture, scaled to roughly [−1, 1].
        let brightness = spread * stream.normal()
        var imageSum = 0.0, noisedSum = 0.0
        for _ in 0..<pixels {
            let pixel = brightness + 0.1 * stream.normal()
            imageSum += pixel
            noisedSum += ForwardProcess.noised(schedule, t: steps, x0: pixel, epsilon: stream.normal())
        }
        imageMeans.append(imageSum / Double(pixels))
        noisedMeans.append(noisedSum / Double(pixels))
    }
    let fit = try LineFit(x: imageMeans, y: noisedMeans)
    let pureNoise = context.mutated("pure-noise")
    let slope = pureNoise ? 0 : signal
    let residual = pureNoise ? 1 / Double(pixels) : noise * noise / Double(pixels)
    return [
        .monteCarlo("slope of mean(x_T) on mean(x₀) = √ᾱ_T", closedForm: slope, estimate: fit.slope),
        .monteCarlo("intercept = 0", closedForm: 0, estimate: fit.intercept),
        .monteCarlo("residual variance = (1−ᾱ_T)/pixels", closedForm: residual, estimate: fit.residualVariance),
    ]
}
