import Foundation
import LatentDiffusion
import Stochastic

/// Property-based fuzzing of the IDX reader (`IDXFile(decoding:source:)`, the format of
/// Fashion-MNIST) and of the gzip path in front of it (`GzipReader`).
///
/// Inputs are generated from a seed corpus of small valid IDX files by byte-level
/// mutations (bit flips, truncation, insertions, deletions), header edits (the type byte,
/// the dimension count, a size set to 0, 2³²−1, 2³¹, ±1, …), edits that keep the data
/// length consistent with new sizes (so that inputs are accepted with many shapes), and
/// random bytes with or without a plausible magic. One input in 64 goes through the gzip
/// path instead: the IDX bytes are compressed with `GzipWriter`, the stream is left intact
/// or damaged (bit flips, cuts, junk), written to a temporary file and read back with
/// `GzipReader` (capped at 1 MiB), then decoded.
///
/// The property: decoding either succeeds with consistent data — 1 … 8 dimensions whose
/// product is the number of data bytes, and a re-encoding identical to the input — or
/// throws the `IDXError` case that an independent classification of the bytes predicts,
/// with a description that starts with the source. The gzip path returns the original
/// bytes for an intact stream and otherwise a `GzipError` naming the file. Never a crash
/// (a trap ends the process and the run with it), never a slow input.
public struct IDXFuzzer: PropertyFuzzer, Sendable {
    /// One generated input.
    public enum Input: Sendable, Equatable {
        /// The bytes of an IDX file, decoded in memory.
        case bytes([UInt8])
        /// The bytes of a .gz file, read through a temporary file; `original` is what it
        /// must decompress to when the stream was left intact (nil when it was damaged).
        case gzip([UInt8], original: [UInt8]?)
    }

    public let corpus: [[UInt8]]

    /// The source name every decode uses; every error's description must start with it.
    static let source = "fuzz.idx"

    public init(corpus: [[UInt8]] = IDXFuzzer.seedCorpus()) {
        self.corpus = corpus
    }

    /// Valid files of every rank the reader accepts: labels, small images, an empty
    /// [0, 28, 28] file, a zero-size middle dimension, 8 dimensions, one 28×28 image.
    public static func seedCorpus() -> [[UInt8]] {
        let shapes: [[Int]] = [[10], [1], [0], [2, 3], [3, 2, 2], [0, 28, 28], [4, 0, 3], [1, 1, 1, 1, 1, 1, 1, 2], [1, 28, 28], [2, 2, 2, 2]]
        return shapes.compactMap { shape in
            let count = shape.reduce(1, *)
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            return try? IDXFile(dimensions: shape, bytes: bytes).encoded()
        }
    }

    /// One outcome that breaks the property.
    public struct Finding: Sendable, CustomStringConvertible {
        public let input: Input
        public let problem: String
        public var description: String {
            switch input {
            case let .bytes(bytes):
                return "\(problem) on IDX input of \(bytes.count) bytes: \(Self.hex(bytes))"
            case let .gzip(bytes, original):
                return "\(problem) on gzip input of \(bytes.count) bytes (\(original == nil ? "damaged" : "intact")): \(Self.hex(bytes))"
            }
        }

        static func hex(_ bytes: [UInt8]) -> String {
            bytes.prefix(48).map { String(format: "%02x", $0) }.joined() + (bytes.count > 48 ? "…" : "")
        }
    }

    // MARK: Generating inputs

    /// The i-th generated input of a run seeded with `seed` (deterministic).
    public func input(_ index: Int, seed: UInt64) -> Input {
        var stream = RandomStream(seed: seed, stream: UInt64(index))
        func random(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(stream.next() % UInt64(bound)) }
        guard !corpus.isEmpty else { return .bytes([]) }
        let kind = stream.next() % 64
        if kind == 1 || kind == 2 || kind == 3 || kind == 4 {  // random bytes, half with a plausible magic
            var bytes = (0..<random(72)).map { _ in UInt8(truncatingIfNeeded: stream.next()) }
            if kind % 2 == 0 { bytes = [0, 0, 8, UInt8(1 + random(4))] + bytes }
            return .bytes(bytes)
        }
        var bytes = corpus[random(corpus.count)]
        let edits = (kind == 0 && stream.next() % 2 == 0) ? 0 : 1 + random(4)
        for _ in 0..<edits { mutate(&bytes, &stream) }
        guard kind == 0 else { return .bytes(bytes) }
        // The gzip path: compress, then maybe damage the stream.
        guard var gz = try? GzipWriter.compress(bytes, level: Int32(random(10))) else { return .bytes(bytes) }
        guard stream.next() % 3 != 0 else { return .gzip(gz, original: bytes) }
        for _ in 0..<(1 + random(3)) {
            switch stream.next() % 5 {
            case 0 where !gz.isEmpty: gz[random(gz.count)] ^= UInt8(1) << UInt8(random(8))
            case 1: gz.removeLast(random(gz.count + 1))
            case 2 where !gz.isEmpty: gz[random(min(gz.count, 10))] = UInt8(truncatingIfNeeded: stream.next())  // the gzip header
            case 3 where gz.count >= 8: gz[gz.count - 1 - random(8)] ^= UInt8(1) << UInt8(random(8))  // CRC-32 or length
            default: gz += (0..<(1 + random(16))).map { _ in UInt8(truncatingIfNeeded: stream.next()) }
            }
        }
        return .gzip(gz, original: nil)
    }

    /// One mutation of an IDX file's bytes.
    func mutate(_ bytes: inout [UInt8], _ stream: inout RandomStream) {
        func random(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(stream.next() % UInt64(bound)) }
        let rank = bytes.count >= 4 ? Int(bytes[3]) : 0
        let headerEnd = min(bytes.count, 4 + 4 * rank)
        switch stream.next() % 10 {
        case 0 where !bytes.isEmpty:  // flip a bit anywhere
            bytes[random(bytes.count)] ^= UInt8(1) << UInt8(random(8))
        case 1 where headerEnd > 0:  // flip a bit of the header
            bytes[random(headerEnd)] ^= UInt8(1) << UInt8(random(8))
        case 2:  // truncate
            bytes.removeLast(random(bytes.count + 1))
        case 3 where !bytes.isEmpty:  // delete a range or insert random bytes
            let position = random(bytes.count)
            if stream.next() % 2 == 0 {
                bytes.removeSubrange(position..<min(bytes.count, position + 1 + random(8)))
            } else {
                bytes.insert(contentsOf: (0..<(1 + random(8))).map { _ in UInt8(truncatingIfNeeded: stream.next()) }, at: position)
            }
        case 4 where bytes.count >= 3:  // another type byte
            let types: [UInt8] = [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0x07, 0xFF]
            bytes[2] = random(4) == 0 ? UInt8(truncatingIfNeeded: stream.next()) : types[random(types.count)]
        case 5 where bytes.count >= 4:  // another dimension count
            let counts: [UInt8] = [0, 1, 2, 3, 4, 7, 8, 9, 16, 255]
            bytes[3] = counts[random(counts.count)]
        case 6 where headerEnd >= 8:  // a size at an edge
            let field = 4 + 4 * random((headerEnd - 4) / 4)
            let current = UInt32(bytes[field]) << 24 | UInt32(bytes[field + 1]) << 16 | UInt32(bytes[field + 2]) << 8 | UInt32(bytes[field + 3])
            let sizes: [UInt32] = [0, 1, 2, .max, .max - 1, 1 << 31, (1 << 31) - 1, 1 << 16, 1 << 24, current &+ 1, current &- 1,
                                   UInt32(truncatingIfNeeded: stream.next())]
            Self.setSize(&bytes, at: field, sizes[random(sizes.count)])
        case 7 where headerEnd == 4 + 4 * rank && (1...8).contains(rank):  // new small sizes (≤ 3⁸ bytes), with data to match
            var dimensions: [Int] = []
            for index in 0..<rank {
                let size = random(4)
                dimensions.append(size)
                Self.setSize(&bytes, at: 4 + 4 * index, UInt32(size))
            }
            let count = dimensions.reduce(1, *)
            bytes = Array(bytes[0..<headerEnd]) + (0..<count).map { _ in UInt8(truncatingIfNeeded: stream.next()) }
        case 8 where headerEnd == 4 + 4 * rank && rank < 255:  // one more dimension, of size 1 (or not)
            let size: UInt32 = stream.next() % 4 == 0 ? UInt32(random(3)) : 1
            bytes[3] = UInt8(rank + 1)
            bytes.insert(contentsOf: [0, 0, 0, 0], at: headerEnd)
            Self.setSize(&bytes, at: headerEnd, size)
        default:  // add or remove bytes at the end of the data
            if stream.next() % 2 == 0 {
                bytes += (0..<(1 + random(8))).map { _ in UInt8(truncatingIfNeeded: stream.next()) }
            } else {
                bytes.removeLast(min(bytes.count, 1 + random(8)))
            }
        }
    }

    static func setSize(_ bytes: inout [UInt8], at offset: Int, _ size: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: size >> (24 - 8 * UInt32(index))) }
    }

    // MARK: Checking the property

    /// Decodes one input; returns a finding if the property breaks.
    public func check(_ input: Input, timeLimit: Double = 1) -> Finding? {
        let start = DispatchTime.now().uptimeNanoseconds
        let problem: String?
        switch input {
        case let .bytes(bytes): problem = Self.problem(decoding: bytes)
        case let .gzip(bytes, original): problem = Self.problem(gzip: bytes, original: original)
        }
        if let problem { return Finding(input: input, problem: problem) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return seconds > timeLimit ? Finding(input: input, problem: "slow input (\(seconds) s)") : nil
    }

    /// What breaks the property when `bytes` are decoded, or nil.
    static func problem(decoding bytes: [UInt8]) -> String? {
        let expected = expectedOutcome(bytes)
        do {
            let file = try IDXFile(decoding: bytes, source: source)
            guard expected == "accepted" else { return "accepted an input expected to fail with \(expected)" }
            guard (1...IDXFile.maximumDimensionCount).contains(file.dimensions.count) else { return "accepted \(file.dimensions.count) dimensions" }
            guard file.dimensions.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else { return "accepted sizes \(file.dimensions)" }
            var elements = 1
            for size in file.dimensions {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow else { return "accepted overflowing sizes \(file.dimensions)" }
                elements = product
            }
            guard elements == file.bytes.count else { return "sizes \(file.dimensions) but \(file.bytes.count) data bytes" }
            guard file.encoded() == bytes else { return "the re-encoding differs from the input" }
            return nil
        } catch {
            let name = caseName(error)
            guard name == expected else { return "threw \(name) (\(error)) where \(expected) was expected" }
            guard error.description.hasPrefix(source + ": "), error.description.count > source.count + 30 else {
                return "unhelpful error \(error)"
            }
            return nil
        }
    }

    /// The outcome the IDX rules predict for `bytes`, worked out apart from the decoder:
    /// "accepted" or the name of an `IDXError` case.
    static func expectedOutcome(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 4 else { return "truncatedHeader" }
        guard bytes[0] == 0, bytes[1] == 0 else { return "wrongMagic" }
        guard bytes[2] == 8 else { return "unsupportedType" }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 8 else { return "invalidDimensionCount" }
        guard bytes.count >= 4 + 4 * rank else { return "truncatedHeader" }
        // The product in 128 bits (high, low): it fits an Int when high == 0 and low < 2⁶³.
        var high: UInt64 = 0, low: UInt64 = 1
        for index in 0..<rank {
            let size = bytes[(4 + 4 * index)..<(8 + 4 * index)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let lowProduct = low.multipliedFullWidth(by: size)
            high = high &* size &+ lowProduct.high
            low = lowProduct.low
            if high != 0 || low > UInt64(Int.max) { return "sizeOverflow" }
        }
        let data = UInt64(bytes.count - 4 - 4 * rank)
        return data < low ? "dataTooShort" : data > low ? "dataTooLong" : "accepted"
    }

    /// What breaks the property on the gzip path, or nil.
    static func problem(gzip bytes: [UInt8], original: [UInt8]?) -> String? {
        guard let (path, result) = readThroughFile(bytes) else { return "cannot write a temporary file" }
        switch result {
        case let .success(decompressed):
            if let original, decompressed != original { return "an intact stream decompressed to other bytes" }
            return problem(decoding: decompressed)
        case let .failure(error):
            if original != nil { return "an intact stream was refused: \(error)" }
            return error.description.hasPrefix(path + ": ") ? nil : "unhelpful error \(error)"
        }
    }

    /// Writes `bytes` to a fresh temporary .gz file, reads it back with `GzipReader`
    /// (capped at 1 MiB) and removes it; nil when the file cannot be written.
    static func readThroughFile(_ bytes: [UInt8]) -> (path: String, result: Result<[UInt8], GzipError>)? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("idx-fuzz-\(UUID().uuidString).gz").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            return (path, .success(try GzipReader.read(path: path, limit: 1 << 20)))
        } catch {
            return (path, .failure(error))
        }
    }

    /// "accepted", or the `IDXError` case the decoder throws.
    static func outcome(decoding bytes: [UInt8]) -> String {
        do {
            _ = try IDXFile(decoding: bytes, source: source)
            return "accepted"
        } catch {
            return caseName(error)
        }
    }

    /// The name of an error's enum case.
    static func caseName(_ error: any Error) -> String {
        Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }

    /// How the inputs of a run end: "accepted" or the name of the `IDXError` case, and for
    /// the gzip path "gzip " + that or the `GzipError` case, with counts — which checks
    /// the generated inputs reach.
    public func outcomes(count: Int, seed: UInt64) -> [String: Int] {
        var tally: [String: Int] = [:]
        for index in 0..<count {
            switch input(index, seed: seed) {
            case let .bytes(bytes):
                tally[Self.outcome(decoding: bytes), default: 0] += 1
            case let .gzip(bytes, _):
                switch Self.readThroughFile(bytes)?.result {
                case let .success(decompressed): tally["gzip " + Self.outcome(decoding: decompressed), default: 0] += 1
                case let .failure(error): tally["gzip " + Self.caseName(error), default: 0] += 1
                case nil: tally["gzip unwritable", default: 0] += 1
                }
            }
        }
        return tally
    }
}
