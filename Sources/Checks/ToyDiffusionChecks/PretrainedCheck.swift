import CheckCore
import CheckKit
import ForwardProcess
import Foundation
import Neural
import Posterior
import ProjectFolders
import Sampling
import Stochastic
import ToyDiffusion

/// The committed pretrained model (Models/DATASET.safetensors, trained by `lessons train`)
/// against fresh data: sliced Wasserstein-2 of its DDPM samples within a factor of the
/// noise floor (two independent data samples of the same size, same directions); its loss
/// history falls; its variational bound on held-out points (`LearnedBound`), reported.
///
/// The bar is a factor of 3: SW₂ of one sample of 2000 points scatters, so the ratio of a
/// model at the floor varies from seed to seed (sd 0.15 for the swiss roll, 0.26 for the eight
/// Gaussians, over 30–50 seeds: `lessons calibrate toy.pretrained`). A bar at 3 is more than
/// 7 sd above 1, so a model as good as the data fails with about the rows' own false-alarm
/// probability; 1.5 was about 3 sd above 1 and failed the committed model on 1 seed of 30.
let pretrainedCheck = CheckDefinition(
    id: "toy.pretrained",
    title: "The committed toy model: SW₂(samples, data) within a factor of the data-vs-data floor; its loss fell; its NLL bound",
    parameters: [
        ParameterSpec("dataset", .choice(of: ToyDataset.self), default: .text("swissroll"), help: "the data set (Models/DATASET.safetensors)"),
        .samples(default: 2000),
        ParameterSpec("factor", .real(1...100), default: .real(3), help: "the allowed SW₂ / floor ratio"),
        ParameterSpec("rounds", .integer(1...100), default: .integer(4), help: "fresh data samples (and floor pairs) to average SW₂ over"),
        ParameterSpec("heldOut", .integer(2...100_000), default: .integer(500), help: "held-out points for the bound"),
    ],
    mutations: [Mutation("untrained", "the model's initial weights in place of the trained ones")],
    run: pretrainedRows
)

@Sendable
func pretrainedRows(_ context: CheckContext) throws -> [CheckRow] {
    let dataset: ToyDataset = try context.parameters.choice("dataset")
    guard let folder = ProjectFolders.nearest(named: "Models") else {
        throw ToyDataError("toy.pretrained reads Models/\(dataset.rawValue).safetensors; no Models/ folder above the working directory or the executable")
    }
    let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent(dataset.rawValue + ".safetensors"))
    var (weights, configuration, _) = try ToyCheckpoint.samplingWeights(from: file)
    if context.mutated("untrained") {
        weights = EpsilonMLP(steps: configuration.diffusionSteps, seed: configuration.seed).parameters.map(\.value)
    }
    let schedule = try NoiseSchedule.linear(steps: configuration.diffusionSteps)
    let model = DenoiserInference(weights: weights, embedding: SinusoidalEmbedding(dimensions: EpsilonMLP.embeddingDimensions, steps: schedule.steps))
    let n = context.parameters.integer("samples")
    let seed = context.seed &+ context.stream
    let samples = try DiffusionSampler(schedule: schedule, denoiser: model).sample(count: n, kind: .ddpm(variance: .large), seed: seed, generator: context.generator).points
    let points = stride(from: 0, to: 2 * n, by: 2).map { Point2(Double(samples[$0]), Double(samples[$0 + 1])) }
    // SW₂ of one pair of samples scatters by ±30 %: average over `rounds` fresh data
    // samples, and the floor over as many independent pairs, with the same directions.
    var stream = context.randomStream
    var directionStream = RandomStream(seed: seed, stream: 0x534C, generator: context.generator)
    let directions = SlicedWasserstein.directions(SlicedWasserstein.defaultProjections, stream: &directionStream)
    let rounds = context.parameters.integer("rounds")
    var distance = 0.0, floor = 0.0
    for _ in 0..<rounds {
        let fresh = dataset.sample(n, stream: &stream), other = dataset.sample(n, stream: &stream)
        distance += try SlicedWasserstein.distance(points, fresh, directions: directions) / Double(rounds)
        floor += try SlicedWasserstein.distance(other, fresh, directions: directions) / Double(rounds)
    }
    let factor = context.parameters.real("factor")

    let losses = try file.tensor(named: "losses").values
    let head = losses.prefix(10).reduce(0, +) / Float(max(min(losses.count, 10), 1))
    let tail = losses.suffix(1000).reduce(0, +) / Float(max(min(losses.count, 1000), 1))

    let heldOut = dataset.sample(context.parameters.integer("heldOut"), stream: &stream)
    let bound = try LearnedBound(model: model, schedule: schedule, variance: .large, data: heldOut, seed: seed, generator: context.generator)
    return [
        .holds("mean SW₂(samples, data) over \(rounds) data samples, n = \(n), \(directions.count) directions", value: distance,
               rule: String(format: "≤ %.2f × mean floor %.4f", factor, floor), pass: distance <= factor * floor),
        .holds("mean loss of the last 1000 steps (first 10: \(String(format: "%.3f", head)))", value: Double(tail),
               rule: "< ½ × first 10", pass: tail < 0.5 * head),
        .holds("−ELBO on \(heldOut.count) held-out points, nats (± \(String(format: "%.3f", bound.total.standardError)))", value: bound.total.mean,
               rule: "reported (a density bound)", pass: bound.total.mean.isFinite),
        .holds("the same in bits/dim", value: bound.bitsPerDimension, rule: "reported", pass: bound.bitsPerDimension.isFinite),
    ]
}
