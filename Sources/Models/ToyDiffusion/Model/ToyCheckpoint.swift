import Foundation
import Neural
import Stochastic

/// What is wrong with a toy-model checkpoint, beyond the safetensors format itself.
public struct ToyCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A toy model's training state as a safetensors file: the weights under their layer
/// names (`layers.0.weight` [66, 128] …), their EMA (`ema.…`), Adam's moments
/// (`adam.m.…`, `adam.v.…`), the loss of every step (`losses`), and in the metadata the
/// configuration, the step count and the random stream's state. Enough to sample (EMA
/// weights) and to resume training bit for bit.
public enum ToyCheckpoint {
    public static let format = "diffusion-verifier/toy-mlp/1"

    /// The whole training state.
    public static func file(of trainer: ToyTrainer) -> SafetensorsFile {
        let parameters = trainer.model.parameters
        var tensors: [SafetensorsTensor] = []
        func add(_ name: String, _ tensor: Tensor) {
            tensors.append(SafetensorsTensor(name: name, shape: tensor.shape, values: tensor.values))
        }
        for parameter in parameters { add(parameter.name, parameter.value) }
        for (parameter, average) in zip(parameters, trainer.ema.averages) { add("ema." + parameter.name, average) }
        for (index, parameter) in parameters.enumerated() {
            add("adam.m." + parameter.name, trainer.optimizer.firstMoments[index])
            add("adam.v." + parameter.name, trainer.optimizer.secondMoments[index])
        }
        tensors.append(SafetensorsTensor(name: "losses", shape: [trainer.losses.count], values: trainer.losses))
        let c = trainer.configuration
        var metadata: [String: String] = [
            "format": format,
            "dataset": c.dataset.rawValue,
            "seed": String(c.seed),
            "step": String(trainer.step),
            "trainingPoints": String(c.trainingPoints),
            "batchSize": String(c.batchSize),
            "learningRate": String(c.learningRate),
            "learningRateSchedule": c.learningRateSchedule.rawValue,
            "totalSteps": String(c.totalSteps),
            "emaDecay": String(c.emaDecay),
            "timestepPower": String(c.timestepPower),
            "diffusionSteps": String(c.diffusionSteps),
            "schedule": "linear 1e-4 → 0.02",
            "randomState": trainer.stream.state.map { String($0, radix: 16) }.joined(separator: ","),
        ]
        if let clipNorm = c.clipNorm { metadata["clipNorm"] = String(clipNorm) }
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes the state atomically (a reader sees the previous checkpoint or this one).
    public static func write(_ trainer: ToyTrainer, to url: URL) throws {
        try file(of: trainer).write(to: url)
    }

    /// The configuration a checkpoint was trained with.
    public static func configuration(of file: SafetensorsFile) throws -> ToyTrainingConfiguration {
        let source = file.source
        guard file.metadata["format"] == format else {
            throw ToyCheckpointError("\(source) is a safetensors file but not a toy-model checkpoint (metadata format = \(file.metadata["format"] ?? "none"); expected \(format))")
        }
        func field<T>(_ key: String, _ parse: (String) -> T?) throws -> T {
            guard let text = file.metadata[key], let value = parse(text) else {
                throw ToyCheckpointError("\(source): metadata \"\(key)\" is missing or unreadable (\(file.metadata[key] ?? "absent"))")
            }
            return value
        }
        var c = ToyTrainingConfiguration()
        c.dataset = try field("dataset") { ToyDataset(rawValue: $0) }
        c.seed = try field("seed") { UInt64($0) }
        c.trainingPoints = try field("trainingPoints") { Int($0).flatMap { $0 >= 2 && $0 <= 10_000_000 ? $0 : nil } }
        c.batchSize = try field("batchSize") { Int($0).flatMap { $0 >= 1 && $0 <= 1_000_000 ? $0 : nil } }
        c.learningRate = try field("learningRate") { Float($0).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        c.learningRateSchedule = try field("learningRateSchedule") { LearningRateSchedule(rawValue: $0) }
        c.totalSteps = try field("totalSteps") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        c.emaDecay = try field("emaDecay") { Float($0).flatMap { $0 >= 0 && $0 < 1 ? $0 : nil } }
        if file.metadata["timestepPower"] != nil { // absent in checkpoints written before the option: uniform t
            c.timestepPower = try field("timestepPower") { Double($0).flatMap { $0 >= 1 && $0 <= 10 ? $0 : nil } }
        }
        if file.metadata["clipNorm"] != nil { // absent: trained without clipping
            c.clipNorm = try field("clipNorm") { Double($0).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        }
        c.diffusionSteps = try field("diffusionSteps") { Int($0).flatMap { $0 >= 2 && $0 <= 100_000 ? $0 : nil } }
        return c
    }

    /// A trainer in exactly the state the checkpoint holds.
    public static func resume(from file: SafetensorsFile) throws -> ToyTrainer {
        let configuration = try configuration(of: file)
        let trainer = try ToyTrainer(configuration)
        let parameters = trainer.model.parameters
        for (index, parameter) in parameters.enumerated() {
            try load(file, parameter.name, into: parameter.value)
            try load(file, "ema." + parameter.name, into: trainer.ema.averages[index])
            try load(file, "adam.m." + parameter.name, into: trainer.optimizer.firstMoments[index])
            try load(file, "adam.v." + parameter.name, into: trainer.optimizer.secondMoments[index])
        }
        let losses = try file.tensor(named: "losses")
        let step = try Int(file.metadata["step"] ?? "").flatMap { $0 >= 0 ? $0 : nil }
            ?? { throw ToyCheckpointError("\(file.source): metadata \"step\" is missing or not a count") }()
        guard losses.values.count == step else {
            throw ToyCheckpointError("\(file.source): \(losses.values.count) losses recorded for \(step) steps")
        }
        let words = (file.metadata["randomState"] ?? "").split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard let stream = RandomStream(state: words) else {
            throw ToyCheckpointError("\(file.source): metadata \"randomState\" is not four hexadecimal words, not all zero")
        }
        trainer.losses = losses.values
        trainer.stream = stream
        trainer.optimizer.restore(step: step)
        return trainer
    }

    /// The weights to sample with: the EMA when the file has it, else the raw weights, in
    /// the order of `EpsilonMLP.parameters`; and the configuration.
    public static func samplingWeights(from file: SafetensorsFile) throws -> (weights: [Tensor], configuration: ToyTrainingConfiguration, usesAverage: Bool) {
        let configuration = try configuration(of: file)
        let reference = EpsilonMLP(steps: configuration.diffusionSteps, seed: 0)
        let usesAverage = file.tensors.contains { $0.name == "ema." + reference.parameters[0].name }
        let weights = try reference.parameters.map { parameter -> Tensor in
            let tensor = Tensor(zeros: parameter.value.shape)
            try load(file, (usesAverage ? "ema." : "") + parameter.name, into: tensor)
            return tensor
        }
        return (weights, configuration, usesAverage)
    }

    private static func load(_ file: SafetensorsFile, _ name: String, into tensor: Tensor) throws {
        let stored = try file.tensor(named: name)
        guard stored.shape == tensor.shape else {
            throw ToyCheckpointError("\(file.source): tensor \(name) has shape \(stored.shape); the toy model needs \(tensor.shape)")
        }
        guard stored.values.allSatisfy(\.isFinite) else {
            throw ToyCheckpointError("\(file.source): tensor \(name) holds NaN or infinite values")
        }
        stored.values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
    }
}
