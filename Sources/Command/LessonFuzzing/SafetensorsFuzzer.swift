import Foundation
import Neural
import Stochastic

/// Property-based fuzzing of the safetensors reader (`SafetensorsFile(decoding:source:)`):
/// inputs are generated from a seed corpus of valid encodings by byte-level mutations (bit
/// flips, truncation, insertions, deletions, splices), edits of the 8-byte header length,
/// insertions or replacements of JSON tokens in the header (`"F16"`, `-1`, `1e400`, `[`,
/// huge integers, invalid UTF-8, …) and of whole entries (duplicate names, overlapping or
/// gapped offsets, metadata of the wrong type) that keep the header length consistent, so
/// that inputs get past the length check into the JSON, the entries and the layout.
///
/// The property: decoding either throws a `SafetensorsError` whose description names the
/// source (the decoder's typed `throws` rules out every other error type at compile time),
/// or succeeds with consistent data — unique names, non-negative dimensions,
/// `values.count == product(shape)` for every tensor, the data section covered exactly,
/// and a re-encoding that decodes to the same names, shapes, value bits and metadata.
/// Never a crash (a trap ends the process and the fuzz run with it), never a slow input.
public struct SafetensorsFuzzer: PropertyFuzzer, Sendable {
    public let corpus: [Data]

    /// The source name every decode uses; every error's description must start with it.
    static let source = "fuzz.safetensors"

    /// Tokens worth inserting into a header: dtypes, field names, numbers at the edges of
    /// 64 bits, non-integers, JSON punctuation, escapes, invalid UTF-8.
    static let tokens: [[UInt8]] = [
        "\"F16\"", "\"BF16\"", "\"F32\"", "\"F64\"", "\"I64\"", "\"\"", "-1", "0", "-0", "1", "4", "1e400", "1.5", "2.0", "1e2",
        "[", "]", "{", "}", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\n", "\\x",
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "4611686018427387904",
        "2305843009213693952", "4294967296", "true", "false", "null", "\"__metadata__\"", "\"dtype\"", "\"shape\"",
        "\"data_offsets\"", "[]", "{}", "[0,0]", "[0,4]", "[4,0]", "[1,1]", "{\"k\":1}", " ", "\n", "\t", "ü", "✓",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]

    /// Whole entries to put first in a header: duplicates of seed names, overlapping,
    /// gapped and out-of-range offsets, entries and metadata of the wrong JSON type.
    static let entries: [[UInt8]] = [
        #""a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#, #""a":{"dtype":"F32","shape":[],"data_offsets":[4,8]},"#,
        #""x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"#, #""x":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"#,
        #""x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"#, #""x":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},"#,
        #""x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]},"#, #""x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"#,
        #""x":5,"#, #""x":[0,4],"#, #""x":{},"#, #""__metadata__":[],"#, #""__metadata__":{"k":"v","k":"w"},"#,
        #""__metadata__":{"k":"v"},"#, #""weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"#, #""__metadata__":"#,
    ].map { Array($0.utf8) }

    public init(corpus: [Data] = SafetensorsFuzzer.seedCorpus()) {
        self.corpus = corpus
    }

    /// Valid encodings that exercise every part of the format: metadata with escapes,
    /// scalars, zero-size tensors, non-ASCII names, an empty file, a metadata-only file,
    /// and a hand-written header with whitespace, reordered keys and an extra field.
    public static func seedCorpus() -> [Data] {
        let files = [
            SafetensorsFile(
                tensors: [
                    SafetensorsTensor(name: "a", shape: [2], values: [1, -2]),
                    SafetensorsTensor(name: "b", shape: [], values: [0.5]),
                ],
                metadata: ["k": "v"]),
            SafetensorsFile(
                tensors: [
                    SafetensorsTensor(name: "weight", shape: [2, 3], values: [0, -0.0, .leastNonzeroMagnitude, .infinity, -.infinity, .pi]),
                    SafetensorsTensor(name: "empty", shape: [0, 4], values: []),
                    SafetensorsTensor(name: "ε_θ", shape: [1, 1, 1], values: [.greatestFiniteMagnitude]),
                ],
                metadata: ["format": "np", "note": "quote \" backslash \\ newline \n ü"]),
            SafetensorsFile(),
            SafetensorsFile(metadata: ["only": "metadata", "": ""]),
            SafetensorsFile(tensors: [SafetensorsTensor(name: "cube", shape: [2, 3, 4], values: (0..<24).map(Float.init))]),
        ]
        var corpus = files.compactMap { try? $0.encoded() }
        let header = Array(#"{ "b" : {"data_offsets":[4, 8], "shape":[ 1 ], "dtype":"F32", "x":[1.5,true,null]},"#.utf8)
            + Array("\n\t\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]} }".utf8)
        corpus.append(Data(withHeaderLength(UInt64(header.count)) + header + [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]))
        return corpus
    }

    /// One outcome that breaks the property.
    public struct Finding: Sendable, CustomStringConvertible {
        public let input: Data
        public let problem: String
        public var description: String {
            let hex = input.prefix(48).map { String(format: "%02x", $0) }.joined()
            let text = String(decoding: input.dropFirst(8).prefix(300), as: UTF8.self)
            return "\(problem) on input of \(input.count) bytes: \(hex)… header text \(text.debugDescription)"
        }
    }

    /// The i-th generated input of a run seeded with `seed` (deterministic).
    public func input(_ index: Int, seed: UInt64) -> Data {
        var stream = RandomStream(seed: seed, stream: UInt64(index))
        guard !corpus.isEmpty else { return Data() }
        var bytes = [UInt8](corpus[Int(stream.next() % UInt64(corpus.count))])
        let edits = 1 + Int(stream.next() % 4)
        for _ in 0..<edits {
            func random(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(stream.next() % UInt64(bound)) }
            let headerEnd = Self.headerEnd(bytes)
            switch stream.next() % 10 {
            case 0 where !bytes.isEmpty:  // flip a bit anywhere
                bytes[random(bytes.count)] ^= UInt8(1) << UInt8(random(8))
            case 1 where headerEnd > 8:  // flip a bit of the header
                bytes[8 + random(headerEnd - 8)] ^= UInt8(1) << UInt8(random(8))
            case 2:  // truncate
                bytes.removeLast(random(bytes.count + 1))
            case 3 where !bytes.isEmpty:  // delete a range or insert random bytes
                let position = random(bytes.count)
                if stream.next() % 2 == 0 {
                    bytes.removeSubrange(position..<min(bytes.count, position + 1 + random(16)))
                } else {
                    bytes.insert(contentsOf: (0..<(1 + random(8))).map { _ in UInt8(truncatingIfNeeded: stream.next()) }, at: position)
                }
            case 4:  // splice in a range of another seed file
                let other = [UInt8](corpus[random(corpus.count)])
                let start = random(other.count)
                bytes.insert(contentsOf: other[start..<min(other.count, start + 1 + random(64))], at: random(bytes.count + 1))
            case 5:  // rewrite the header length
                let current = headerEnd > 8 ? UInt64(headerEnd - 8) : 0
                let choices: [UInt64] = [
                    0, 1, 7, current &+ 1, current &- 1, current &+ 8, current &- 8, UInt64(max(bytes.count - 8, 0)), UInt64(bytes.count),
                    UInt64.max, 100_000_000, 100_000_001, 1 << 63, stream.next(), UInt64(random(bytes.count + 16)),
                ]
                let prefix = Self.withHeaderLength(choices[random(choices.count)])
                if bytes.count >= 8 { bytes.replaceSubrange(0..<8, with: prefix) } else { bytes = prefix + bytes }
            case 6 where headerEnd > 8:  // insert a token into the header, usually keeping the length right
                let token = Self.tokens[random(Self.tokens.count)]
                bytes.insert(contentsOf: token, at: 8 + random(headerEnd - 8 + 1))
                if stream.next() % 4 != 0 { Self.setHeaderLength(&bytes, headerEnd - 8 + token.count) }
            case 7 where headerEnd > 8:  // replace a number or a string of the header by a token
                let token = Self.tokens[random(Self.tokens.count)]
                if let range = Self.tokenRange(in: bytes, from: 8 + random(headerEnd - 8), to: headerEnd, string: stream.next() % 2 == 0) {
                    bytes.replaceSubrange(range, with: token)
                    Self.setHeaderLength(&bytes, headerEnd - 8 - range.count + token.count)
                }
            case 8 where headerEnd > 9 && bytes[8] == UInt8(ascii: "{"):  // put a whole entry first in the header
                let entry = Self.entries[random(Self.entries.count)]
                bytes.insert(contentsOf: entry, at: 9)
                Self.setHeaderLength(&bytes, headerEnd - 8 + entry.count)
            default:  // add or remove bytes at the end of the data section
                if stream.next() % 2 == 0 {
                    bytes += (0..<(1 + random(8))).map { _ in UInt8(truncatingIfNeeded: stream.next()) }
                } else {
                    bytes.removeLast(min(bytes.count, 1 + random(8)))
                }
            }
        }
        return Data(bytes)
    }

    /// Decodes one input; returns a finding if the property breaks.
    public func check(_ data: Data, timeLimit: Double = 1) -> Finding? {
        let start = DispatchTime.now().uptimeNanoseconds
        var problem: String?
        do {
            let file = try SafetensorsFile(decoding: data, source: Self.source)
            problem = Self.inconsistency(in: file, decodedFrom: data)
        } catch {
            if !error.description.hasPrefix(Self.source + ": ") || error.description.count <= Self.source.count + 10 {
                problem = "unhelpful error \(error)"
            }
        }
        if let problem { return Finding(input: data, problem: problem) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return seconds > timeLimit ? Finding(input: data, problem: "slow input (\(seconds) s)") : nil
    }

    /// How the inputs of a run end: "accepted" or the name of the `SafetensorsError` case,
    /// with counts — which checks the generated inputs reach.
    public func outcomes(count: Int, seed: UInt64) -> [String: Int] {
        var tally: [String: Int] = [:]
        for index in 0..<count {
            do {
                _ = try SafetensorsFile(decoding: input(index, seed: seed), source: Self.source)
                tally["accepted", default: 0] += 1
            } catch {
                tally[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
            }
        }
        return tally
    }

    // MARK: The property of an accepted file

    /// What is inconsistent about a file the decoder accepted, or nil.
    static func inconsistency(in file: SafetensorsFile, decodedFrom data: Data) -> String? {
        var names = Set<String>()
        var valueBytes = 0
        for tensor in file.tensors {
            guard names.insert(tensor.name).inserted else { return "accepted duplicate name \(tensor.name.debugDescription)" }
            guard tensor.name != "__metadata__" else { return "accepted a tensor named __metadata__" }
            var elements = 1
            for dimension in tensor.shape {
                guard dimension >= 0 else { return "accepted negative dimension in \(tensor.shape)" }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { return "accepted overflowing shape \(tensor.shape)" }
                elements = product
            }
            guard elements == tensor.values.count else {
                return "tensor \(tensor.name.debugDescription) has shape \(tensor.shape) but \(tensor.values.count) values"
            }
            valueBytes += 4 * tensor.values.count
        }
        let headerLength = headerEnd([UInt8](data)) - 8
        guard headerLength >= 0, 8 + headerLength + valueBytes == data.count else {
            return "the tensors' \(valueBytes) bytes do not cover the data section of a \(data.count)-byte file"
        }
        let encoded: Data
        do {
            encoded = try file.encoded()
        } catch {
            return "an accepted file does not re-encode: \(error)"
        }
        guard let again = try? SafetensorsFile(decoding: encoded, source: "re-encoded") else {
            return "the re-encoding of an accepted file does not decode"
        }
        guard again.metadata == file.metadata,
              again.tensors.map(\.name) == file.tensors.map(\.name),
              again.tensors.map(\.shape) == file.tensors.map(\.shape),
              again.tensors.map({ $0.values.map(\.bitPattern) }) == file.tensors.map({ $0.values.map(\.bitPattern) })
        else { return "re-encoding changes the file" }
        return nil
    }

    // MARK: Byte helpers

    /// 8 + the header length when the first 8 bytes state one that fits in the input, else 0.
    static func headerEnd(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 8 else { return 0 }
        let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        return length <= UInt64(bytes.count - 8) ? 8 + Int(length) : 0
    }

    static func withHeaderLength(_ length: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    }

    static func setHeaderLength(_ bytes: inout [UInt8], _ length: Int) {
        guard bytes.count >= 8, length >= 0 else { return }
        bytes.replaceSubrange(0..<8, with: withHeaderLength(UInt64(length)))
    }

    /// The first number (digits with an optional leading minus) or quoted string of the
    /// header at or after `from`, before `to`.
    static func tokenRange(in bytes: [UInt8], from: Int, to end: Int, string: Bool) -> Range<Int>? {
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var i = from
        if string {
            while i < end, bytes[i] != UInt8(ascii: "\"") { i += 1 }
            guard i < end else { return nil }
            var j = i + 1
            while j < end, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
            return j < end ? i..<(j + 1) : nil
        }
        while i < end, !isDigit(bytes[i]) { i += 1 }
        guard i < end else { return nil }
        let start = i > 8 && bytes[i - 1] == UInt8(ascii: "-") ? i - 1 : i
        while i < end, isDigit(bytes[i]) { i += 1 }
        return start..<i
    }
}
