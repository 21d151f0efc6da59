import Foundation
import Neural

/// Weights in diffusers' safetensors files, by diffusers' tensor names.
///
/// PyTorch stores a linear layer's weight as [out, in] and the project's `Linear` as [in, out]
/// (so that y = x·W is one row-major product): every 2-D weight is transposed on the way in and
/// out. Convolutions ([out, in, k, k]), norms, biases and embedding tables ([rows, channels],
/// named in `untransposed`) have the same layout in both.
public enum DiffusersWeights {
    /// Fills `parameters` from the file at `url`. Every parameter must be there with its shape,
    /// and every tensor of the file must be a parameter (a stray tensor means the config and
    /// the weights describe different models).
    public static func load(_ url: URL, into parameters: [Parameter], untransposed: Set<String> = []) throws(DiffusersModelError) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            let bin = url.deletingPathExtension().appendingPathExtension("bin")
            throw DiffusersModelError("\(url.path) is missing" + (FileManager.default.fileExists(atPath: bin.path)
                ? " (there is a PyTorch .bin beside it: save the model with safe_serialization=True)" : ""))
        }
        // One tensor at a time, straight into its parameter: the file is never held whole.
        try load(source: url.path, into: parameters, untransposed: untransposed) { body in try SafetensorsFile.forEachTensor(contentsOf: url, body) }
    }

    /// Fills `parameters` from a file already read.
    public static func load(_ file: SafetensorsFile, into parameters: [Parameter], untransposed: Set<String> = []) throws(DiffusersModelError) {
        try load(source: file.source, into: parameters, untransposed: untransposed) { body in
            for tensor in file.tensors { try tensor.values.withUnsafeBufferPointer { try body(tensor.name, tensor.shape, $0) } }
        }
    }

    /// The one loading rule of both sources: `tensors` calls its body with each stored
    /// tensor; each goes into the parameter of its name (shape checked, 2-D transposed), and
    /// afterwards every parameter must have been found and every tensor used.
    private static func load(
        source: String, into parameters: [Parameter], untransposed: Set<String>,
        tensors: ((String, [Int], UnsafeBufferPointer<Float>) throws -> Void) throws -> Void
    ) throws(DiffusersModelError) {
        var wanted: [String: Parameter] = [:]
        for parameter in parameters { wanted[parameter.name] = parameter }
        var stray: [(name: String, shape: [Int])] = []
        do {
            try tensors { name, shape, values in
                guard let parameter = wanted.removeValue(forKey: name) else { return stray.append((name, shape)) }
                let transposed = !untransposed.contains(name)
                let expected = transposed ? storedShape(of: parameter.value.shape) : parameter.value.shape
                guard shape == expected else {
                    throw DiffusersModelError("\(source): tensor \"\(name)\" has shape \(shape); the config gives \(expected)")
                }
                copy(values, into: parameter.value, transposed: transposed)
            }
        } catch let error as DiffusersModelError {
            throw error
        } catch {
            throw DiffusersModelError("\(error)")
        }
        if let parameter = parameters.first(where: { wanted[$0.name] != nil }) {
            throw DiffusersModelError("\(source) has no tensor \"\(parameter.name)\" (shape \(untransposed.contains(parameter.name) ? parameter.value.shape : storedShape(of: parameter.value.shape))): the config describes another model")
        }
        if let first = stray.min(by: { $0.name < $1.name }) {
            throw DiffusersModelError("\(source) has \(stray.count) tensor\(stray.count == 1 ? "" : "s") the config does not explain, e.g. \"\(first.name)\" \(first.shape)")
        }
    }

    /// The tensors of `parameters` as diffusers stores them.
    public static func tensors(of parameters: [Parameter], untransposed: Set<String> = []) -> [SafetensorsTensor] {
        parameters.map { parameter in
            let value = parameter.value
            guard value.shape.count == 2, !untransposed.contains(parameter.name) else { return SafetensorsTensor(name: parameter.name, shape: value.shape, values: value.values) }
            let (rows, columns) = (value.shape[0], value.shape[1])
            var transposed = [Float](repeating: 0, count: value.count)
            for row in 0..<rows { for column in 0..<columns { transposed[column * rows + row] = value.pointer[row * columns + column] } }
            return SafetensorsTensor(name: parameter.name, shape: [columns, rows], values: transposed)
        }
    }

    /// The shape PyTorch stores for a parameter of this shape.
    static func storedShape(of shape: [Int]) -> [Int] { shape.count == 2 ? [shape[1], shape[0]] : shape }

    /// Stored values into the parameter's layout (a 2-D [out, in] into [in, out]).
    static func copy(_ source: UnsafeBufferPointer<Float>, into tensor: Tensor, transposed: Bool = true) {
        guard tensor.count > 0 else { return }
        guard tensor.shape.count == 2, transposed else { return tensor.pointer.update(from: source.baseAddress!, count: tensor.count) }
        let (inputs, outputs) = (tensor.shape[0], tensor.shape[1]), tile = 32
        // In 32 × 32 tiles, so that both the reads and the writes stay in cache.
        for outputStart in stride(from: 0, to: outputs, by: tile) {
            for inputStart in stride(from: 0, to: inputs, by: tile) {
                for output in outputStart..<min(outputStart + tile, outputs) {
                    for input in inputStart..<min(inputStart + tile, inputs) { tensor.pointer[input * outputs + output] = source[output * inputs + input] }
                }
            }
        }
    }
}
