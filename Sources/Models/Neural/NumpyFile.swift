import AtomicFiles
import Foundation

/// A float32 array in NumPy's .npy format, version 1.0 (what `numpy.load` reads): the magic
/// "\u{93}NUMPY", version bytes 1 0, a little-endian UInt16 header length, an ASCII dict
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }` padded with spaces and a
/// final newline so the data starts at a multiple of 64 bytes, then the values in C order.
public enum NumpyFile {
    public static func encoded(shape: [Int], values: [Float]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "a .npy array of shape \(shape) holds \(shape.reduce(1, *)) values, not \(values.count)")
        let dimensions = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dimensions), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buffer in
            for value in buffer {
                let bits = value.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes the array atomically (temporary file + rename).
    public static func write(shape: [Int], values: [Float], to url: URL) throws(UnwritableFile) {
        try AtomicFile.write(encoded(shape: shape, values: values), to: url)
    }
}
