/// Everything that can be wrong with a safetensors file, found while reading, decoding,
/// encoding or writing one (see `SafetensorsFile` for the format).
///
/// `source` is the file's path, or the label the caller gave to bytes held in memory.
/// Every `description` says what was wrong, in which file, and what the format accepts.
public enum SafetensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    // Reading the file.
    /// No file (or folder) at `path`.
    case missingFile(path: String)
    /// The file exists but cannot be read (a folder, no permission, an I/O error).
    case unreadable(path: String, reason: String)

    // The 8-byte header length and the JSON header.
    /// Fewer than the 8 bytes of the header length.
    case tooShort(source: String, byteCount: Int)
    /// The header length says the header runs past the end of the file.
    case headerLengthBeyondFile(source: String, headerLength: UInt64, fileSize: Int)
    /// The header length is above the 100 MB that any real header stays under.
    case headerLengthAbsurd(source: String, headerLength: UInt64)
    /// The header bytes are not UTF-8; `byteOffset` is counted from the header's start.
    case headerNotUTF8(source: String, byteOffset: Int)
    /// The header is not valid JSON (`reason` names the problem and the byte).
    case headerNotJSON(source: String, reason: String)
    /// The header is JSON but does not start with `{` or is not an object.
    case headerNotObject(source: String, found: String)

    // Tensor entries.
    /// A tensor's entry is not a JSON object.
    case entryNotObject(source: String, tensor: String, found: String)
    /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(source: String, tensor: String, field: String)
    /// A field of a tensor's entry has the wrong JSON type (a float, a boolean, a string
    /// where integers belong, a negative offset, a number too large for 64 bits, …).
    case wrongFieldType(source: String, tensor: String, field: String, found: String)
    /// A dtype other than `F32`.
    case unsupportedDType(source: String, tensor: String, dtype: String)
    /// A negative dimension, one above 64 bits, or a shape whose byte count overflows.
    case invalidShape(source: String, tensor: String, shape: String, reason: String)
    /// `data_offsets` end before they begin, or past the end of the data section.
    case invalidOffsets(source: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// The byte range does not hold product(shape) float32 values.
    case sizeMismatch(source: String, tensor: String, shape: [Int], byteCount: Int)
    /// Tensors must tile the data section: this one overlaps the previous tensor
    /// (`begin < expectedBegin`) or leaves a gap after it (`begin > expectedBegin`).
    case misplacedTensor(source: String, tensor: String, begin: Int, expectedBegin: Int)
    /// Bytes after the last tensor that no tensor covers.
    case trailingBytes(source: String, usedBytes: Int, dataSize: Int)
    /// Two tensors with one name (in a header, or in a file being encoded).
    case duplicateName(source: String, name: String)
    /// A tensor named `__metadata__`, the key the format reserves for metadata.
    case reservedName(source: String)

    // Metadata.
    /// `__metadata__` is not a JSON object.
    case metadataNotObject(source: String, found: String)
    /// A metadata value that is not a string.
    case metadataNotString(source: String, key: String, found: String)
    /// A metadata key that appears twice.
    case duplicateMetadataKey(source: String, key: String)
    /// Metadata to encode that uses the key checksums are written under (`"crc32"`).
    case reservedMetadataKey(source: String, key: String)

    // Checksums (see `SafetensorsChecksums`).
    /// The `"crc32"` metadata is not an object of every tensor's name to 8 hex digits.
    case checksumsUnreadable(source: String, reason: String)
    /// A tensor's bytes do not have the CRC-32 the file records; `otherFailures` more do not either.
    case checksumMismatch(source: String, tensor: String, stored: String, computed: String, otherFailures: Int)

    // Using and writing a file.
    /// `tensor(named:)` found no such tensor; `available` lists the names present.
    case tensorNotFound(source: String, name: String, available: [String])
    /// A tensor to encode whose value count is not product(shape).
    case valueCountMismatch(source: String, tensor: String, shape: [Int], valueCount: Int)
    /// The file could not be written (from `AtomicFiles.UnwritableFile`).
    case unwritable(path: String, reason: String)

    static let format = "a safetensors file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON header, then the raw tensor data"

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no such file; give the path of a .safetensors checkpoint"
        case let .unreadable(path, reason):
            return "\(path): cannot read the file (\(reason)); a checkpoint must be a readable regular file"
        case let .tooShort(source, count):
            return "\(source): the file is \(count) byte\(count == 1 ? "" : "s") long, shorter than the 8-byte header length; \(Self.format)"
        case let .headerLengthBeyondFile(source, length, size):
            return "\(source): the header length says \(length) bytes, but only \(max(size &- 8, 0)) bytes follow it in the \(size)-byte file; "
                + "the header length must not exceed the file size minus 8 (is the file truncated?)"
        case let .headerLengthAbsurd(source, length):
            return "\(source): the header length says \(length) bytes; headers larger than 100 000 000 bytes are refused "
                + "(\(Self.format))"
        case let .headerNotUTF8(source, offset):
            return "\(source): the JSON header is not valid UTF-8 (byte \(offset) of the header); the header must be UTF-8 text"
        case let .headerNotJSON(source, reason):
            return "\(source): the header is not valid JSON: \(reason); the header must be one JSON object"
        case let .headerNotObject(source, found):
            return "\(source): the header \(found); it must be a JSON object starting with \"{\" at its first byte"
        case let .entryNotObject(source, tensor, found):
            return "\(source): the entry of tensor \"\(tensor)\" is \(found); each tensor's entry must be an object "
                + "{\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": [begin, end]}"
        case let .missingField(source, tensor, field):
            return "\(source): tensor \"\(tensor)\" has no \"\(field)\"; each tensor's entry needs \"dtype\", \"shape\" and \"data_offsets\""
        case let .wrongFieldType(source, tensor, field, found):
            return "\(source): tensor \"\(tensor)\" has \"\(field)\": \(found); accepted: \(Self.accepted(field))"
        case let .unsupportedDType(source, tensor, dtype):
            return "\(source): tensor \"\(tensor)\" has dtype \"\(dtype)\"; only \"F32\" (little-endian float32) is supported"
        case let .invalidShape(source, tensor, shape, reason):
            return "\(source): tensor \"\(tensor)\" has shape \(shape): \(reason); "
                + "dimensions must be non-negative and the tensor's byte count must fit in 64 bits"
        case let .invalidOffsets(source, tensor, begin, end, size):
            let problem = end < begin ? "ends before it begins" : "runs past the end of the \(size)-byte data section"
            return "\(source): tensor \"\(tensor)\" has data_offsets [\(begin), \(end)], which \(problem); "
                + "offsets are [begin, end) with begin ≤ end ≤ \(size), counted from the start of the data section"
        case let .sizeMismatch(source, tensor, shape, count):
            let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            return "\(source): tensor \"\(tensor)\" has shape \(shape), which needs \(elements) float32 values (\(elements &* 4) bytes), "
                + "but its data_offsets span \(count) bytes; end − begin must equal product(shape) × 4"
        case let .misplacedTensor(source, tensor, begin, expected):
            let problem = begin < expected
                ? "overlaps the tensor before it (which ends at byte \(expected))"
                : "leaves a gap of \(begin &- expected) bytes after the tensor before it (which ends at byte \(expected))"
            return "\(source): tensor \"\(tensor)\" begins at byte \(begin) of the data section and \(problem); "
                + "tensors must cover the data section contiguously, without overlaps or holes"
        case let .trailingBytes(source, used, size):
            return "\(source): the tensors cover \(used) bytes of the \(size)-byte data section; the \(size &- used) bytes after them "
                + "belong to no tensor, and the data section must be covered exactly"
        case let .duplicateName(source, name):
            return "\(source): the header has two entries named \"\(name)\"; tensor names (and \"__metadata__\") must appear once"
        case let .reservedName(source):
            return "\(source): a tensor is named \"__metadata__\", the key reserved for metadata; choose another name"
        case let .metadataNotObject(source, found):
            return "\(source): \"__metadata__\" is \(found); it must be an object of string keys to string values"
        case let .metadataNotString(source, key, found):
            return "\(source): metadata \"\(key)\" is \(found); metadata values must be strings"
        case let .duplicateMetadataKey(source, key):
            return "\(source): metadata key \"\(key)\" appears twice; metadata keys must be unique"
        case let .reservedMetadataKey(source, key):
            return "\(source): metadata key \"\(key)\" is where each tensor's checksum is written; "
                + "rename the key, or write without checksums"
        case let .checksumsUnreadable(source, reason):
            return "\(source): the checksum metadata \"crc32\" is unreadable: \(reason); it must be a JSON object "
                + "naming every tensor once with its CRC-32 as 8 lowercase hexadecimal digits, {\"name\":\"1a2b3c4d\",…} "
                + "(remove the key to read the file unchecked)"
        case let .checksumMismatch(source, tensor, stored, computed, others):
            let more = others == 0 ? "" : " (and \(others) more tensor\(others == 1 ? "" : "s"))"
            return "\(source): tensor \"\(tensor)\"\(more) fails its checksum: the file records CRC-32 \(stored), its bytes give \(computed); "
                + "the file changed after it was written (a damaged copy or disk, or an edit that kept the old metadata) — "
                + "restore the file or write it again"
        case let .tensorNotFound(source, name, available):
            let list = available.isEmpty ? "it holds no tensors" : "it holds " + available.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(source): no tensor named \"\(name)\"; \(list)"
        case let .valueCountMismatch(source, tensor, shape, count):
            return "\(source): tensor \"\(tensor)\" has shape \(shape) but \(count) values; a tensor needs exactly product(shape) values"
        case let .unwritable(path, reason):
            return "\(path): cannot write the checkpoint (\(reason)); give a path in a writable folder"
        }
    }

    /// What a field of a tensor entry accepts.
    static func accepted(_ field: String) -> String {
        switch field {
        case "dtype": return "a string; only \"F32\" is supported"
        case "shape": return "an array of non-negative integers, such as [2, 3] ([] for a scalar)"
        case "data_offsets": return "an array of two non-negative integers [begin, end]"
        default: return "see the safetensors format"
        }
    }
}
