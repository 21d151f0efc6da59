import AtomicFiles
import Foundation

/// One named tensor of a safetensors file: `values` are the float32 elements in row-major
/// (C) order, `values.count == product(shape)` (1 for the scalar shape `[]`, 0 when a
/// dimension is 0).
public struct SafetensorsTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// A safetensors checkpoint (huggingface/safetensors): ordered named float32 tensors and
/// optional string metadata.
///
/// The format, byte by byte:
/// 1. 8 bytes: N, the header length, an unsigned 64-bit little-endian integer;
/// 2. N bytes: the header, UTF-8 JSON starting with `{` at its first byte —
///    `{"__metadata__":{"key":"value",…},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},…}` —
///    padded with spaces (0x20) so that N is a multiple of 8. `data_offsets` are
///    `[begin, end)` byte offsets from the start of the data section;
/// 3. the data section: each tensor's raw little-endian float32 values, row-major.
///
/// Writing is deterministic (same value, same bytes): the header is compact JSON in the
/// order of `tensors`, with `__metadata__` first (omitted when empty; keys sorted by their
/// UTF-8 bytes, where Python's `safetensors` follows a hash map's order), strings escaped
/// as serde_json escapes them, and the tensors laid out contiguously in the order of
/// `tensors`. For float32 tensors named in sorted order and at most one metadata key
/// (counting `"crc32"`) this is byte for byte what `safetensors.numpy.save_file` writes
/// given the same metadata.
///
/// Reading is strict: only dtype `F32`; tensors must cover the data section exactly,
/// without overlaps or holes; names and metadata keys unique (compared as Swift strings,
/// so canonically equivalent Unicode spellings count as one name); headers above
/// 100 000 000 bytes are refused; fields of a tensor entry other than `dtype`, `shape`
/// and `data_offsets` are ignored, as Python's reader does. Read tensors come in the
/// order of their data in the file. Every failure is a `SafetensorsError`.
///
/// Checksums: writing records each tensor's CRC-32 in the metadata key `"crc32"` (see
/// `SafetensorsChecksums`; `checksums: false` leaves it out); reading verifies them when the
/// key is there, names the first tensor that fails, and removes the key from `metadata`, so
/// a file reads back equal to what was written. Files without the key (Python's
/// `save_file`, older checkpoints) are read unchecked, `hasVerifiedChecksums == false`.
public struct SafetensorsFile: Sendable, Equatable {
    public var tensors: [SafetensorsTensor]
    /// The optional `"__metadata__"` object: string keys to string values.
    public var metadata: [String: String]
    /// Where the file came from — its path, or the label given to `init(decoding:source:)`;
    /// `"(in memory)"` for a file built in code. Used in error messages; not compared by `==`.
    public var source: String

    /// True when the file was read and every tensor matched the CRC-32 its metadata records;
    /// false for a file built in code or read without checksums (written by another tool,
    /// or before checksums were written). Not compared by `==`.
    public private(set) var hasVerifiedChecksums = false

    /// The largest header accepted (the bound Python's `safetensors` uses).
    public static let maximumHeaderLength = 100_000_000

    public init(tensors: [SafetensorsTensor] = [], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.source = "(in memory)"
    }

    /// Equal tensors (names, shapes, values by `Float ==`, in order) and equal metadata.
    public static func == (lhs: SafetensorsFile, rhs: SafetensorsFile) -> Bool {
        lhs.tensors == rhs.tensors && lhs.metadata == rhs.metadata
    }

    /// The tensor called `name`; throws `tensorNotFound`, listing the names present.
    public func tensor(named name: String) throws(SafetensorsError) -> SafetensorsTensor {
        guard let tensor = tensors.first(where: { $0.name == name }) else {
            throw .tensorNotFound(source: source, name: name, available: tensors.map(\.name))
        }
        return tensor
    }

    // MARK: Encoding

    /// The file's bytes, with each tensor's CRC-32 in the metadata key `"crc32"` unless
    /// `checksums` is false (see `SafetensorsChecksums`). Throws for duplicate or reserved
    /// names, a metadata key `"crc32"` when checksums are written, negative dimensions, a
    /// value count other than product(shape), or sizes that overflow.
    public func encoded(checksums: Bool = true) throws(SafetensorsError) -> Data {
        try encoded(source: source, checksums: checksums)
    }

    /// Writes the file atomically (temporary file, fsync, rename; see `AtomicFile`), with
    /// checksums as `encoded(checksums:)` writes them.
    /// Throws `unwritable` with the operating system's reason when the path cannot be written.
    public func write(to url: URL, checksums: Bool = true) throws(SafetensorsError) {
        let data = try encoded(source: url.path, checksums: checksums)
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw .unwritable(path: error.path, reason: error.reason)
        }
    }

    func encoded(source: String, checksums: Bool) throws(SafetensorsError) -> Data {
        // 1. Check every tensor and lay them out one after another.
        var names = Set<String>()
        var dataSize = 0
        var ranges: [(begin: Int, end: Int)] = []
        ranges.reserveCapacity(tensors.count)
        for tensor in tensors {
            guard tensor.name != "__metadata__" else { throw .reservedName(source: source) }
            guard names.insert(tensor.name).inserted else { throw .duplicateName(source: source, name: tensor.name) }
            let byteCount = try Self.byteCount(shape: tensor.shape, source: source, tensor: tensor.name)
            guard byteCount / 4 == tensor.values.count else {
                throw .valueCountMismatch(source: source, tensor: tensor.name, shape: tensor.shape, valueCount: tensor.values.count)
            }
            let (end, overflow) = dataSize.addingReportingOverflow(byteCount)
            guard !overflow else {
                throw .invalidShape(source: source, tensor: tensor.name, shape: "\(tensor.shape)", reason: "the file's size overflows 64 bits")
            }
            ranges.append((dataSize, end))
            dataSize = end
        }

        // 2. The data section: each tensor's little-endian float32 values, in order.
        var body = Data(count: dataSize)
        body.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            var position = 0
            for tensor in tensors {
                for value in tensor.values {
                    raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: position, as: UInt32.self)
                    position += 4
                }
            }
        }
        var metadata = self.metadata
        if checksums {
            guard metadata[SafetensorsChecksums.key] == nil else {
                throw .reservedMetadataKey(source: source, key: SafetensorsChecksums.key)
            }
            let entries = body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                zip(tensors, ranges).map { tensor, range in
                    (tensor.name, SafetensorsChecksums.crc32(UnsafeRawBufferPointer(rebasing: raw[range.begin..<range.end])))
                }
            }
            metadata[SafetensorsChecksums.key] = SafetensorsChecksums.text(entries)
        }

        // 3. The header: compact JSON, metadata first, then the tensors in order; space-padded.
        var header: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        if !metadata.isEmpty {
            header += Array("\"__metadata__\":{".utf8)
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { header.append(UInt8(ascii: ",")) }
                Self.appendJSONString(key, to: &header)
                header.append(UInt8(ascii: ":"))
                Self.appendJSONString(metadata[key] ?? "", to: &header)
            }
            header.append(UInt8(ascii: "}"))
            first = false
        }
        for (tensor, range) in zip(tensors, ranges) {
            if !first { header.append(UInt8(ascii: ",")) }
            first = false
            Self.appendJSONString(tensor.name, to: &header)
            header += Array(":{\"dtype\":\"F32\",\"shape\":[".utf8)
            header += Array(tensor.shape.map(String.init).joined(separator: ",").utf8)
            header += Array("],\"data_offsets\":[\(range.begin),\(range.end)]}".utf8)
        }
        header.append(UInt8(ascii: "}"))
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        guard header.count <= Self.maximumHeaderLength else {
            throw .headerLengthAbsurd(source: source, headerLength: UInt64(header.count))
        }

        // 4. Length, header, data.
        let (total, overflow) = (8 + header.count).addingReportingOverflow(dataSize)
        guard !overflow else {
            throw .invalidShape(source: source, tensor: tensors.last?.name ?? "", shape: "\(tensors.last?.shape ?? [])", reason: "the file's size overflows 64 bits")
        }
        var data = Data(capacity: total)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        data.append(body)
        return data
    }

    /// product(shape) × 4, checked: no negative dimension, no overflow.
    static func byteCount(shape: [Int], source: String, tensor: String) throws(SafetensorsError) -> Int {
        var count = 4
        for dimension in shape {
            guard dimension >= 0 else {
                throw .invalidShape(source: source, tensor: tensor, shape: "\(shape)", reason: "dimension \(dimension) is negative")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw .invalidShape(source: source, tensor: tensor, shape: "\(shape)", reason: "the byte count overflows 64 bits")
            }
            count = product
        }
        return count
    }

    /// A JSON string literal, escaped as serde_json (and so Python's `safetensors`) does.
    static func appendJSONString(_ string: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Decoding

    /// Reads the file at `url` (the whole file; checkpoints are small).
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missingFile(path: path) }
        guard !isFolder.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        try self.init(decoding: data, source: path)
    }

    /// Decodes the bytes of a safetensors file; `source` names them in error messages.
    /// Every check runs before anything is allocated from a size the file states.
    public init(decoding data: Data, source: String) throws(SafetensorsError) {
        // 1. The header length.
        let fileSize = data.count
        guard fileSize >= 8 else { throw .tooShort(source: source, byteCount: fileSize) }
        let length = UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self) })
        let start = data.startIndex
        let layout = try Layout(headerLength: length, fileSize: fileSize, source: source) { headerLength in
            [UInt8](data[(start + 8)..<(start + 8 + headerLength)])
        }
        let dataStart = layout.dataStart

        // 5. The values: every range is checked to lie inside the data section.
        self.tensors = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            layout.tensors.map { tensor in
                let count = (tensor.end - tensor.begin) / 4
                let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    Self.decodeFloats(UnsafeRawBufferPointer(rebasing: raw[(dataStart + tensor.begin)..<(dataStart + tensor.end)]), into: buffer.baseAddress!)
                    initialized = count
                }
                return SafetensorsTensor(name: tensor.name, shape: tensor.shape, values: values)
            }
        }
        // 6. The checksums, when the file records them.
        if let stored = layout.checksums {
            let failures: [(name: String, stored: UInt32, computed: UInt32)] = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                layout.tensors.compactMap { tensor in
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[(dataStart + tensor.begin)..<(dataStart + tensor.end)])
                    let computed = SafetensorsChecksums.crc32(bytes)
                    let expected = stored[tensor.name] ?? computed
                    return computed == expected ? nil : (tensor.name, expected, computed)
                }
            }
            if let first = failures.first {
                throw .checksumMismatch(
                    source: source, tensor: first.name, stored: SafetensorsChecksums.hex(first.stored),
                    computed: SafetensorsChecksums.hex(first.computed), otherFailures: failures.count - 1
                )
            }
            self.hasVerifiedChecksums = true
        }
        self.metadata = layout.metadata
        self.source = source
    }

    /// Little-endian Float32 bytes into `target` (count = bytes / 4).
    static func decodeFloats(_ bytes: UnsafeRawBufferPointer, into target: UnsafeMutablePointer<Float>) {
        for i in 0..<bytes.count / 4 {
            target[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
    }

    /// A file's header, checked: its metadata, its tensors' names, shapes and byte ranges in
    /// the data section (in offset order, tiling it), and its checksums when it has them.
    struct Layout {
        var metadata: [String: String] = [:]
        var tensors: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        var checksums: [String: UInt32]?
        let dataStart: Int

        /// `header(n)` returns the n header bytes after the 8-byte length; it is called only
        /// once the length is known to fit in the file.
        init(headerLength length: UInt64, fileSize: Int, source: String, header: (Int) throws -> [UInt8]) throws(SafetensorsError) {
            guard length <= UInt64(SafetensorsFile.maximumHeaderLength) else { throw .headerLengthAbsurd(source: source, headerLength: length) }
            guard length <= UInt64(fileSize - 8) else {
                throw .headerLengthBeyondFile(source: source, headerLength: length, fileSize: fileSize)
            }
            let headerLength = Int(length)
            dataStart = 8 + headerLength
            let dataSize = fileSize - dataStart

            // 2. The header: UTF-8, JSON, an object from its first byte.
            let bytes: [UInt8]
            do { bytes = try header(headerLength) } catch { throw .unreadable(path: source, reason: "\(error)") }
            if let offset = SafetensorsFile.firstInvalidUTF8(bytes) { throw .headerNotUTF8(source: source, byteOffset: offset) }
            guard bytes.first == UInt8(ascii: "{") else {
                throw .headerNotObject(source: source, found: bytes.isEmpty ? "is empty" : "starts with \(JSONParser.describe(byte: bytes[0]))")
            }
            var parser = JSONParser(bytes: bytes)
            let document: JSONValue
            do {
                document = try parser.parseDocument()
            } catch {
                throw .headerNotJSON(source: source, reason: error.reason)
            }
            guard case let .object(entries) = document else { throw .headerNotObject(source: source, found: "is not an object") }

            // 3. The entries: metadata and tensor descriptions.
            var seenMetadata = false
            var names = Set<String>()
            var layout: [(name: String, shape: [Int], begin: Int, end: Int)] = []
            for (name, value) in entries {
                if name == "__metadata__" {
                    guard !seenMetadata else { throw .duplicateName(source: source, name: name) }
                    seenMetadata = true
                    metadata = try SafetensorsFile.metadata(value, source: source)
                    continue
                }
                guard names.insert(name).inserted else { throw .duplicateName(source: source, name: name) }
                let entry = try SafetensorsFile.tensorEntry(name: name, value: value, source: source, dataSize: dataSize)
                layout.append((name, entry.shape, entry.begin, entry.end))
            }

            // 4. The layout: tensors tile the data section, in offset order.
            let order = layout.indices.sorted {
                (layout[$0].begin, layout[$0].end, $0) < (layout[$1].begin, layout[$1].end, $1)
            }
            var cursor = 0
            for index in order {
                let tensor = layout[index]
                guard tensor.begin == cursor else {
                    throw .misplacedTensor(source: source, tensor: tensor.name, begin: tensor.begin, expectedBegin: cursor)
                }
                cursor = tensor.end
            }
            guard cursor == dataSize else { throw .trailingBytes(source: source, usedBytes: cursor, dataSize: dataSize) }
            tensors = order.map { layout[$0] }

            // The checksums' entry: one per tensor, none for anything else.
            if let text = metadata.removeValue(forKey: SafetensorsChecksums.key) {
                let stored = try SafetensorsChecksums.parse(text, source: source)
                if let missing = tensors.first(where: { stored[$0.name] == nil }) {
                    throw .checksumsUnreadable(source: source, reason: "tensor \"\(missing.name)\" has no entry")
                }
                if let stray = stored.keys.sorted().first(where: { !names.contains($0) }) {
                    throw .checksumsUnreadable(source: source, reason: "it names \"\(stray)\", which is not a tensor of the file")
                }
                checksums = stored
            }
        }
    }

    /// Reads the file at `url` one tensor at a time, without holding the whole file: `body`
    /// gets each tensor's name, shape and values (in file order) and copies what it needs
    /// before the next is read; the values live in one buffer reused for every tensor. For
    /// weights too large to hold twice (Stable Diffusion's 3.4 GB U-Net). The header is
    /// checked as `init(contentsOf:)` checks it, and each tensor's checksum, when the file
    /// records them, before `body` sees it.
    public static func forEachTensor(
        contentsOf url: URL, _ body: (_ name: String, _ shape: [Int], _ values: UnsafeBufferPointer<Float>) throws -> Void
    ) throws {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw SafetensorsError.missingFile(path: path) }
        guard !isFolder.boolValue else { throw SafetensorsError.unreadable(path: path, reason: "it is a folder") }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SafetensorsError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let fileSize = Int(lseek(descriptor, 0, SEEK_END))
        guard fileSize >= 0, lseek(descriptor, 0, SEEK_SET) == 0 else { throw SafetensorsError.unreadable(path: path, reason: "it cannot be sought") }
        /// Reads exactly `count` bytes at the current position into `target`.
        func readExactly(_ count: Int, into target: UnsafeMutableRawPointer) throws {
            var done = 0
            while done < count {
                let got = read(descriptor, target + done, count - done)
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { throw SafetensorsError.unreadable(path: path, reason: got < 0 ? String(cString: strerror(errno)) : "the file ended early") }
                done += got
            }
        }
        guard fileSize >= 8 else { throw SafetensorsError.tooShort(source: path, byteCount: fileSize) }
        var length: UInt64 = 0
        try readExactly(8, into: &length)
        let layout = try Layout(headerLength: UInt64(littleEndian: length), fileSize: fileSize, source: path) { count in
            var bytes = [UInt8](repeating: 0, count: count)
            try bytes.withUnsafeMutableBytes { try readExactly(count, into: $0.baseAddress!) }
            return bytes
        }
        let largest = layout.tensors.map { $0.end - $0.begin }.max() ?? 0
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(largest, 4), alignment: 64)
        defer { buffer.deallocate() }
        for tensor in layout.tensors {
            let byteCount = tensor.end - tensor.begin
            try readExactly(byteCount, into: buffer)
            let raw = UnsafeRawBufferPointer(start: buffer, count: byteCount)
            if let stored = layout.checksums?[tensor.name] {
                let computed = SafetensorsChecksums.crc32(raw)
                guard computed == stored else {
                    throw SafetensorsError.checksumMismatch(source: path, tensor: tensor.name, stored: SafetensorsChecksums.hex(stored),
                                                            computed: SafetensorsChecksums.hex(computed), otherFailures: 0)
                }
            }
            // Little-endian Float32 in place (a no-op on little-endian machines).
            let values = buffer.bindMemory(to: Float.self, capacity: byteCount / 4)
            decodeFloats(raw, into: values)
            try body(tensor.name, tensor.shape, UnsafeBufferPointer(start: values, count: byteCount / 4))
        }
    }

    /// `__metadata__`: an object of strings to strings.
    fileprivate static func metadata(_ value: JSONValue, source: String) throws(SafetensorsError) -> [String: String] {
        guard case let .object(pairs) = value else { throw .metadataNotObject(source: source, found: value.rendered) }
        var metadata: [String: String] = [:]
        for (key, item) in pairs {
            guard case let .string(text) = item else { throw .metadataNotString(source: source, key: key, found: item.rendered) }
            guard metadata[key] == nil else { throw .duplicateMetadataKey(source: source, key: key) }
            metadata[key] = text
        }
        return metadata
    }

    /// One tensor's entry, checked field by field and against the data section's size.
    fileprivate static func tensorEntry(
        name: String, value: JSONValue, source: String, dataSize: Int
    ) throws(SafetensorsError) -> (shape: [Int], begin: Int, end: Int) {
        guard case let .object(pairs) = value else { throw .entryNotObject(source: source, tensor: name, found: value.rendered) }
        func field(_ key: String) throws(SafetensorsError) -> JSONValue {
            let matches = pairs.filter { $0.key == key }
            guard let match = matches.first else { throw .missingField(source: source, tensor: name, field: key) }
            guard matches.count == 1 else { throw .wrongFieldType(source: source, tensor: name, field: key, found: "given \(matches.count) times") }
            return match.value
        }

        let dtype = try field("dtype")
        guard case let .string(type) = dtype else { throw .wrongFieldType(source: source, tensor: name, field: "dtype", found: dtype.rendered) }
        guard type == "F32" else { throw .unsupportedDType(source: source, tensor: name, dtype: type) }

        let shapeValue = try field("shape")
        guard case let .array(dimensions) = shapeValue else {
            throw .wrongFieldType(source: source, tensor: name, field: "shape", found: shapeValue.rendered)
        }
        var shape: [Int] = []
        for dimension in dimensions {
            switch dimension.integer {
            case let .some(.value(n)) where n >= 0:
                shape.append(n)
            case let .some(.value(n)):
                throw .invalidShape(source: source, tensor: name, shape: shapeValue.rendered, reason: "dimension \(n) is negative")
            case .some(.tooLarge):
                throw .invalidShape(source: source, tensor: name, shape: shapeValue.rendered, reason: "a dimension does not fit in 64 bits")
            case .none:
                throw .wrongFieldType(source: source, tensor: name, field: "shape", found: shapeValue.rendered)
            }
        }
        let byteCount = try byteCount(shape: shape, source: source, tensor: name)

        let offsetsValue = try field("data_offsets")
        guard case let .array(offsets) = offsetsValue, offsets.count == 2,
              case let .value(begin) = offsets[0].integer, begin >= 0,
              case let .value(end) = offsets[1].integer, end >= 0
        else {
            throw .wrongFieldType(source: source, tensor: name, field: "data_offsets", found: offsetsValue.rendered)
        }
        guard begin <= end, end <= dataSize else {
            throw .invalidOffsets(source: source, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        guard end - begin == byteCount else {
            throw .sizeMismatch(source: source, tensor: name, shape: shape, byteCount: end - begin)
        }
        return (shape, begin, end)
    }

    /// The offset of the first byte that is not part of well-formed UTF-8 (no overlong
    /// forms, no surrogates, nothing above U+10FFFF), or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int, second: ClosedRange<UInt8>
            switch lead {
            case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: return i
            }
            guard bytes.count - i >= length, second.contains(bytes[i + 1]) else { return i }
            for k in 2..<length where !(0x80...0xBF).contains(bytes[i + k]) { return i }
            i += length
        }
        return nil
    }
}

// MARK: - The header's JSON

/// A parsed JSON value; objects keep their keys in order, duplicates included, and
/// numbers keep their text so that integers are read exactly.
enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    enum Integer: Equatable { case value(Int), tooLarge }

    /// An integer written without fraction or exponent (`2`, `-1`, not `2.0` or `1e3`);
    /// nil for anything else, `.tooLarge` beyond Int's range.
    var integer: Integer? {
        guard case let .number(text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int(text).map(Integer.value) ?? .tooLarge
    }

    /// Short JSON-like text for error messages (at most about 80 characters).
    var rendered: String {
        var out = ""
        render(into: &out)
        return out.count > 80 ? String(out.prefix(80)) + "…" : out
    }

    private func render(into out: inout String) {
        guard out.count <= 80 else { return }
        switch self {
        case let .object(pairs):
            out += pairs.isEmpty ? "{}" : "{…}"
        case let .array(items):
            out += "["
            for (index, item) in items.enumerated() {
                if out.count > 80 { break }
                if index > 0 { out += ", " }
                item.render(into: &out)
            }
            out += "]"
        case let .string(text):
            out += "\"" + String(text.prefix(60)) + (text.count > 60 ? "…" : "") + "\""
        case let .number(text):
            out += String(text.prefix(60)) + (text.count > 60 ? "…" : "")
        case let .bool(flag):
            out += flag ? "true" : "false"
        case .null:
            out += "null"
        }
    }
}

/// A small strict JSON parser (RFC 8259) over UTF-8 bytes already checked to be valid:
/// nesting limited to 64 levels, lone surrogate escapes and raw control characters refused.
struct JSONParser {
    struct Failure: Error { let reason: String }

    let bytes: [UInt8]
    var position = 0
    static let maximumDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// One value and nothing after it but whitespace.
    mutating func parseDocument() throws(Failure) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw unexpected("after the header's object") }
        return value
    }

    static func describe(byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "\"\(Character(Unicode.Scalar(byte)))\"" : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private func unexpected(_ context: String) -> Failure {
        guard position < bytes.count else { return Failure(reason: "the header ends at byte \(position) \(context)") }
        return Failure(reason: "unexpected \(Self.describe(byte: bytes[position])) at byte \(position) \(context)")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw unexpected("where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected("where a value was expected")
        }
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw Failure(reason: "nesting deeper than \(Self.maximumDepth) levels at byte \(position)") }
        position += 1  // {
        var pairs: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(pairs)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw unexpected("where a quoted key was expected") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw unexpected("where \":\" was expected") }
            position += 1
            pairs.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("inside an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            guard bytes[position] == UInt8(ascii: "}") else { throw unexpected("where \",\" or \"}\" was expected") }
            position += 1
            return .object(pairs)
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw Failure(reason: "nesting deeper than \(Self.maximumDepth) levels at byte \(position)") }
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("inside an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            guard bytes[position] == UInt8(ascii: "]") else { throw unexpected("where \",\" or \"]\" was expected") }
            position += 1
            return .array(items)
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        let start = position
        position += 1  // "
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw Failure(reason: "the string starting at byte \(start) is not terminated") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: out, as: UTF8.self)
            case 0..<0x20:
                throw Failure(reason: "raw control character 0x\(String(byte, radix: 16)) inside a string at byte \(position) (write it as \\u00XX)")
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            default:
                out.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(Failure) {
        let start = position
        guard position + 1 < bytes.count else { throw Failure(reason: "the escape at byte \(start) is cut off") }
        let letter = bytes[position + 1]
        position += 2
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(letter)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try parseHex4(escapeAt: start)
            if (0xD800...0xDBFF).contains(code) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw Failure(reason: "the escape at byte \(start) is a lone high surrogate")
                }
                position += 2
                let low = try parseHex4(escapeAt: start)
                guard (0xDC00...0xDFFF).contains(low) else { throw Failure(reason: "the escape at byte \(start) is a lone high surrogate") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw Failure(reason: "the escape at byte \(start) is a lone low surrogate")
            }
            guard let scalar = Unicode.Scalar(code) else { throw Failure(reason: "the escape at byte \(start) is not a Unicode scalar") }
            UTF8.encode(scalar) { out.append($0) }
        default:
            throw Failure(reason: "unknown escape \\ followed by \(Self.describe(byte: letter)) at byte \(start)")
        }
    }

    private mutating func parseHex4(escapeAt start: Int) throws(Failure) -> UInt32 {
        guard bytes.count - position >= 4 else { throw Failure(reason: "the \\u escape at byte \(start) needs 4 hex digits") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(reason: "the \\u escape at byte \(start) needs 4 hex digits")
            }
            code = code << 4 | UInt32(digit)
            position += 1
        }
        return code
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as text.
    private mutating func parseNumber() throws(Failure) -> String {
        let start = position
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw unexpected("in the number starting at byte \(start)") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else { throw unexpected("in the number starting at byte \(start)") }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard isDigit(position) else { throw unexpected("in the number starting at byte \(start)") }
            while isDigit(position) { position += 1 }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func parseLiteral(_ word: String) throws(Failure) {
        for byte in word.utf8 {
            guard position < bytes.count, bytes[position] == byte else { throw unexpected("in what looks like \(word)") }
            position += 1
        }
    }
}
