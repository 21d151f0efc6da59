import CZlib
import Foundation

/// Per-tensor CRC-32 checksums kept in a safetensors file's metadata, so that a file whose
/// bytes changed after it was written is refused instead of used.
///
/// Why: the format itself has no checksum, and a damaged checkpoint usually still decodes —
/// a flipped exponent bit turns a weight of 0.01 into 1e36 or 1e-40, both finite — so a
/// corrupted model would load and sample garbage without a word. A CRC-32 detects every
/// change of up to 32 consecutive bits and all but 2⁻³² of the rest.
///
/// The metadata key `"crc32"` holds a JSON object as text, one entry per tensor in the
/// order of the file, `{"name":"1a2b3c4d",…}`: the CRC-32 (ISO-HDLC, the polynomial of zlib's
/// `crc32` and Python's `zlib.crc32`) of the tensor's raw little-endian bytes in the data
/// section, as 8 lowercase hexadecimal digits. Keyed by name, so a tool that reorders the
/// tensors but keeps their bytes keeps the checksums valid.
enum SafetensorsChecksums {
    /// The reserved metadata key.
    static let key = "crc32"

    /// zlib's CRC-32 of `bytes` (fed in chunks: zlib's length is 32 bits).
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CZlib.crc32(0, nil, 0)
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(count))
            offset += count
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    static func hex(_ crc: UInt32) -> String {
        let digits = String(crc, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The metadata value for `entries` (names escaped as JSON strings).
    static func text(_ entries: [(name: String, crc: UInt32)]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, entry) in entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            SafetensorsFile.appendJSONString(entry.name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            SafetensorsFile.appendJSONString(hex(entry.crc), to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The stored checksums by tensor name; throws `checksumsUnreadable` unless `text` is a
    /// JSON object of unique names to 8-hex-digit strings.
    static func parse(_ text: String, source: String) throws(SafetensorsError) -> [String: UInt32] {
        var parser = JSONParser(bytes: Array(text.utf8))
        let value: JSONValue
        do {
            value = try parser.parseDocument()
        } catch {
            throw .checksumsUnreadable(source: source, reason: "it is not JSON (\(error.reason))")
        }
        guard case let .object(pairs) = value else {
            throw .checksumsUnreadable(source: source, reason: "it is \(value.rendered), not an object")
        }
        var stored: [String: UInt32] = [:]
        for (name, item) in pairs {
            guard case let .string(digits) = item, digits.utf8.count == 8,
                  digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }),
                  let crc = UInt32(digits, radix: 16)
            else {
                throw .checksumsUnreadable(source: source, reason: "the entry of \"\(name)\" is \(item.rendered), not 8 lowercase hexadecimal digits")
            }
            guard stored.updateValue(crc, forKey: name) == nil else {
                throw .checksumsUnreadable(source: source, reason: "\"\(name)\" appears twice")
            }
        }
        return stored
    }
}
