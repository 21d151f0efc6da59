import Foundation
import Neural

/// Weights in diffusers' safetensors files, by diffusers' tensor names.
///
/// PyTorch stores a linear layer's weight as [out, in] and the project's `Linear` as [in, out]
/// (so that y = x·W is one row-major product): every 2-D weight is transposed on the way in and
/// out. Convolutions ([out, in, k, k]), norms and biases have the same layout in both.
public enum DiffusersWeights {
    /// Fills `parameters` from the file at `url`. Every parameter must be there with its shape,
    /// and every tensor of the file must be a parameter (a stray tensor means the config and
    /// the weights describe different models).
    public static func load(_ url: URL, into parameters: [Parameter]) throws(DiffusersModelError) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            let bin = url.deletingPathExtension().appendingPathExtension("bin")
            throw DiffusersModelError("\(url.path) is missing" + (FileManager.default.fileExists(atPath: bin.path)
                ? " (there is a PyTorch .bin beside it: save the model with safe_serialization=True)" : ""))
        }
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: url) } catch { throw DiffusersModelError("\(error)") }
        try load(file, into: parameters)
    }

    public static func load(_ file: SafetensorsFile, into parameters: [Parameter]) throws(DiffusersModelError) {
        var stored: [String: SafetensorsTensor] = [:]
        for tensor in file.tensors { stored[tensor.name] = tensor }
        for parameter in parameters {
            guard let tensor = stored.removeValue(forKey: parameter.name) else {
                throw DiffusersModelError("\(file.source) has no tensor \"\(parameter.name)\" (shape \(storedShape(of: parameter.value.shape))): the config describes another model")
            }
            let expected = storedShape(of: parameter.value.shape)
            guard tensor.shape == expected else {
                throw DiffusersModelError("\(file.source): tensor \"\(parameter.name)\" has shape \(tensor.shape); the config gives \(expected)")
            }
            copy(tensor.values, into: parameter.value)
        }
        if let stray = stored.keys.sorted().first {
            throw DiffusersModelError("\(file.source) has \(stored.count) tensor\(stored.count == 1 ? "" : "s") the config does not explain, e.g. \"\(stray)\" \(stored[stray]!.shape)")
        }
    }

    /// The tensors of `parameters` as diffusers stores them.
    public static func tensors(of parameters: [Parameter]) -> [SafetensorsTensor] {
        parameters.map { parameter in
            let value = parameter.value
            guard value.shape.count == 2 else { return SafetensorsTensor(name: parameter.name, shape: value.shape, values: value.values) }
            let (rows, columns) = (value.shape[0], value.shape[1])
            var transposed = [Float](repeating: 0, count: value.count)
            for row in 0..<rows { for column in 0..<columns { transposed[column * rows + row] = value.pointer[row * columns + column] } }
            return SafetensorsTensor(name: parameter.name, shape: [columns, rows], values: transposed)
        }
    }

    /// The shape PyTorch stores for a parameter of this shape.
    static func storedShape(of shape: [Int]) -> [Int] { shape.count == 2 ? [shape[1], shape[0]] : shape }

    /// Stored values into the parameter's layout (a 2-D [out, in] into [in, out]).
    static func copy(_ values: [Float], into tensor: Tensor) {
        guard tensor.shape.count == 2 else {
            values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
            return
        }
        let (inputs, outputs) = (tensor.shape[0], tensor.shape[1])
        values.withUnsafeBufferPointer { source in
            for output in 0..<outputs {
                for input in 0..<inputs { tensor.pointer[input * outputs + output] = source[output * inputs + input] }
            }
        }
    }
}
