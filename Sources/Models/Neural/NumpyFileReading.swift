import Foundation

/// A .npy file that cannot be read as a float array: what was found and what is accepted.
public struct NumpyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension NumpyFile {
    /// Reads a .npy array of little-endian float32 ('<f4') or float64 ('<f8') in C order,
    /// format version 1.0 to 3.0 (what `numpy.save` writes), as Float values with its shape.
    public static func read(contentsOf url: URL) throws(NumpyFileError) -> (shape: [Int], values: [Float]) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw NumpyFileError("cannot read \(url.path): \(error.localizedDescription)") }
        return try decode(data, source: url.path)
    }

    public static func decode(_ data: Data, source: String) throws(NumpyFileError) -> (shape: [Int], values: [Float]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8), (1...3).contains(bytes[6]) else {
            throw NumpyFileError("\(source) is not a .npy file (numpy.save writes one)")
        }
        let wide = bytes[6] >= 2
        let lengthBytes = wide ? 4 : 2
        guard bytes.count >= 8 + lengthBytes else { throw NumpyFileError("\(source): the header is cut short") }
        var headerLength = 0
        for k in 0..<lengthBytes { headerLength |= Int(bytes[8 + k]) << (8 * k) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + headerLength, let header = String(bytes: bytes[start..<(start + headerLength)], encoding: .ascii) else {
            throw NumpyFileError("\(source): the header is cut short")
        }
        let width: Int
        if header.contains("'descr': '<f4'") { width = 4 } else if header.contains("'descr': '<f8'") { width = 8 } else {
            throw NumpyFileError("\(source): the array's dtype is not float32 or float64 (little-endian): header \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard header.contains("'fortran_order': False") else { throw NumpyFileError("\(source): the array is in Fortran order; save a C-ordered array") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw NumpyFileError("\(source): the header has no shape")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let body = start + headerLength
        guard shape.allSatisfy({ $0 >= 0 }), bytes.count - body == count * width else {
            throw NumpyFileError("\(source): shape \(shape) needs \(count * width) bytes of data, the file has \(bytes.count - body)")
        }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            var bits: UInt64 = 0
            for k in 0..<width { bits |= UInt64(bytes[body + index * width + k]) << (8 * k) }
            values[index] = width == 4 ? Float(bitPattern: UInt32(bits)) : Float(Double(bitPattern: bits))
        }
        return (shape, values)
    }
}
