import Foundation
import Neural
import Stochastic

/// What is wrong with a latent-diffusion checkpoint beyond the safetensors format itself.
public struct LatentCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A latent model as a safetensors file, in one of two forms (metadata `contents`):
/// * `training-state`: the weights under their layer names, their EMA (`ema.…`), Adam's
///   moments (`adam.m.…`, `adam.v.…`), the loss of every step (`losses`), and in the metadata
///   the configuration, the step and the random stream's state — enough to resume bit for bit;
/// * `weights`: only the weights to sample with (the EMA where there is one) — the small
///   form committed under `Models/`.
public enum LatentCheckpoint {
    public static func format(_ kind: LatentModelKind) -> String { "diffusion-verifier/latent-\(kind.rawValue)/1" }

    public static func file(of trainer: LatentTrainer, weightsOnly: Bool) -> SafetensorsFile {
        let parameters = trainer.task.parameters
        var tensors: [SafetensorsTensor] = []
        func add(_ name: String, _ tensor: Tensor) {
            tensors.append(SafetensorsTensor(name: name, shape: tensor.shape, values: tensor.values))
        }
        let c = trainer.configuration
        var metadata = trainer.task.metadata
        metadata["format"] = format(trainer.task.kind)
        metadata["step"] = String(trainer.step)
        metadata["seed"] = String(c.seed)
        metadata["epochs"] = String(c.epochs)
        metadata["batchSize"] = String(c.batchSize)
        metadata["learningRate"] = String(c.learningRate)
        metadata["examples"] = String(trainer.examples)
        metadata["emaDecay"] = c.emaDecay.map { String($0) } ?? "none"
        if weightsOnly {
            metadata["contents"] = "weights"
            let values = trainer.ema?.averages ?? parameters.map(\.value)
            for (parameter, value) in zip(parameters, values) { add(parameter.name, value) }
        } else {
            metadata["contents"] = "training-state"
            metadata["randomState"] = trainer.stream.state.map { String($0, radix: 16) }.joined(separator: ",")
            for parameter in parameters { add(parameter.name, parameter.value) }
            if let ema = trainer.ema {
                for (parameter, average) in zip(parameters, ema.averages) { add("ema." + parameter.name, average) }
            }
            for (index, parameter) in parameters.enumerated() {
                add("adam.m." + parameter.name, trainer.optimizer.firstMoments[index])
                add("adam.v." + parameter.name, trainer.optimizer.secondMoments[index])
            }
            tensors.append(SafetensorsTensor(name: "losses", shape: [trainer.losses.count], values: trainer.losses))
        }
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Checks that `file` holds a model of `kind`.
    public static func validate(_ file: SafetensorsFile, kind: LatentModelKind) throws(LatentCheckpointError) {
        guard file.metadata["format"] == format(kind) else {
            throw LatentCheckpointError("\(file.source) is not a \(kind.rawValue) checkpoint (metadata format = \(file.metadata["format"] ?? "none"); expected \(format(kind)))")
        }
    }

    /// Copies the sampling weights of `file` into `parameters`: the EMA of a training state
    /// when it has one, else the weights.
    public static func loadWeights(_ file: SafetensorsFile, into parameters: [Parameter], kind: LatentModelKind) throws(LatentCheckpointError) {
        try validate(file, kind: kind)
        let useAverage = file.metadata["contents"] == "training-state" && file.metadata["emaDecay"] != "none"
        for parameter in parameters {
            try copy(file, useAverage ? "ema." + parameter.name : parameter.name, into: parameter.value)
        }
    }

    static func copy(_ file: SafetensorsFile, _ name: String, into tensor: Tensor) throws(LatentCheckpointError) {
        guard let stored = file.tensors.first(where: { $0.name == name }) else {
            throw LatentCheckpointError("\(file.source) has no tensor \"\(name)\": it was written by a different model configuration")
        }
        guard stored.shape == tensor.shape else {
            throw LatentCheckpointError("\(file.source): tensor \"\(name)\" has shape \(stored.shape), the model expects \(tensor.shape)")
        }
        stored.values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
    }

    /// The configuration a checkpoint was trained with (its metadata).
    public static func configuration(of file: SafetensorsFile, kind: LatentModelKind) throws(LatentCheckpointError) -> LatentTrainingConfiguration {
        try validate(file, kind: kind)
        func field<T>(_ key: String, _ parse: (String) -> T?) throws(LatentCheckpointError) -> T {
            guard let text = file.metadata[key], let value = parse(text) else {
                throw LatentCheckpointError("\(file.source): metadata \"\(key)\" is missing or unreadable (\(file.metadata[key] ?? "absent"))")
            }
            return value
        }
        var c = LatentTrainingConfiguration()
        c.seed = try field("seed") { UInt64($0) }
        c.epochs = try field("epochs") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        c.batchSize = try field("batchSize") { Int($0).flatMap { (1...100_000).contains($0) ? $0 : nil } }
        c.learningRate = try field("learningRate") { Float($0).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        c.examples = try field("examples") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        c.emaDecay = try field("emaDecay") { text -> Float?? in
            if text == "none" { return .some(nil) }
            return Float(text).flatMap { $0 >= 0 && $0 < 1 ? .some($0) : nil }
        }
        return c
    }

    /// Restores a training state saved by `file(of:weightsOnly: false)` into a fresh trainer
    /// built with the same configuration.
    public static func resume(_ trainer: LatentTrainer, from file: SafetensorsFile) throws(LatentCheckpointError) {
        try validate(file, kind: trainer.task.kind)
        guard file.metadata["contents"] == "training-state" else {
            throw LatentCheckpointError("\(file.source) holds weights only (no optimizer state), so training cannot resume from it; train from scratch or resume from the --out file of a training run")
        }
        guard let text = file.metadata["step"], let step = Int(text), step >= 0,
              let stateText = file.metadata["randomState"],
              let state = Optional(stateText.split(separator: ",").compactMap { UInt64($0, radix: 16) }),
              let stream = RandomStream(state: state) else {
            throw LatentCheckpointError("\(file.source): the metadata \"step\" or \"randomState\" is missing or unreadable")
        }
        let parameters = trainer.task.parameters
        for (index, parameter) in parameters.enumerated() {
            try copy(file, parameter.name, into: parameter.value)
            try copy(file, "adam.m." + parameter.name, into: trainer.optimizer.firstMoments[index])
            try copy(file, "adam.v." + parameter.name, into: trainer.optimizer.secondMoments[index])
            if let ema = trainer.ema { try copy(file, "ema." + parameter.name, into: ema.averages[index]) }
        }
        guard let losses = file.tensors.first(where: { $0.name == "losses" }), losses.values.count == step else {
            throw LatentCheckpointError("\(file.source): the loss history does not match step \(step)")
        }
        trainer.optimizer.restore(step: step)
        trainer.losses = losses.values
        trainer.stream = stream
    }
}
