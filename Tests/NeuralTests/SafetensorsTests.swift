import Foundation
import Testing

@testable import Neural

/// Bytes of a safetensors file built from parts: a header length (by default the header's
/// own length), the header text as given (no padding added), and the data section.
private func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
    let headerBytes = Array(header.utf8)
    return file(headerBytes: headerBytes, data: data, length: length)
}

private func file(headerBytes: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> Data {
    let n = length ?? UInt64(headerBytes.count)
    let prefix = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) }
    return Data(prefix + headerBytes + data)
}

/// The error decoding `data` throws, or nil when it decodes. Checks the property every
/// error must have: a description that names the source.
private func decodingError(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) -> SafetensorsError? {
    do {
        _ = try SafetensorsFile(decoding: data, source: "t.safetensors")
        return nil
    } catch {
        #expect(error.description.hasPrefix("t.safetensors: "), "\(error)", sourceLocation: sourceLocation)
        return error
    }
}

/// A one-tensor header `{"a":{ENTRY}}`.
private func entry(_ fields: String) -> String { "{\"a\":{\(fields)}}" }

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// A folder of its own under the temporary folder, for one test.
private func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Values at the edges of float32: signed zeros, the smallest subnormal, the largest
/// subnormal, the smallest normal, the largest finite, infinities.
private let edgeValues: [Float] = [
    0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Float(bitPattern: 0x007F_FFFF), .leastNormalMagnitude,
    .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .pi, 1, -1, 1e-30, 123_456.79,
]

private let sample = SafetensorsFile(
    tensors: [
        SafetensorsTensor(name: "weight", shape: [3, 5], values: edgeValues),
        SafetensorsTensor(name: "bias", shape: [], values: [-0.0]),
        SafetensorsTensor(name: "empty", shape: [0, 7], values: []),
        SafetensorsTensor(name: "ε_θ", shape: [1, 1, 2], values: [.nan, 2.5]),
    ],
    metadata: ["format": "np", "step": "1200", "note": "quote \" backslash \\ newline \n tab \t bell \u{7} ü ∑"]
)

@Suite("Safetensors: the checkpoint format, read and written")
struct SafetensorsTests {
    // MARK: Round trips and the format itself

    @Test("Round trip keeps names, order, shapes and every value bit (±0, subnormals, ±inf)")
    func roundTrip() throws {
        let decoded = try SafetensorsFile(decoding: try sample.encoded(), source: "memory")
        #expect(decoded.tensors.map(\.name) == ["weight", "bias", "empty", "ε_θ"])
        #expect(decoded.tensors.map(\.shape) == [[3, 5], [], [0, 7], [1, 1, 2]])
        for (read, written) in zip(decoded.tensors, sample.tensors) where written.name != "ε_θ" {
            #expect(bits(read.values) == bits(written.values), "\(read.name)")
        }
        let last = try decoded.tensor(named: "ε_θ").values
        #expect(last.count == 2 && last[0].isNaN && last[1] == 2.5)  // NaN payloads are not promised
        #expect(decoded.source == "memory")
    }

    @Test("Metadata round trip: unicode, quotes, backslashes, control characters; none at all")
    func metadataRoundTrip() throws {
        #expect(try SafetensorsFile(decoding: try sample.encoded(), source: "m").metadata == sample.metadata)
        let bare = SafetensorsFile(tensors: [SafetensorsTensor(name: "x", shape: [1], values: [1])])
        let bytes = try bare.encoded(checksums: false)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("__metadata__"))
        #expect(try SafetensorsFile(decoding: bytes, source: "m").metadata.isEmpty)
        let onlyMetadata = SafetensorsFile(metadata: ["": "", "control \u{1}\u{1F}": "\u{0}"])
        let decoded = try SafetensorsFile(decoding: try onlyMetadata.encoded(), source: "m")
        #expect(decoded.metadata == onlyMetadata.metadata && decoded.tensors.isEmpty)
    }

    @Test("Encoding is deterministic: same value, same bytes, whatever the metadata's insertion order")
    func deterministic() throws {
        #expect(try sample.encoded() == sample.encoded())
        var forwards: [String: String] = [:]
        var backwards: [String: String] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { forwards[key] = key + "!" }
        for key in keys.reversed() { backwards[key] = key + "!" }
        let a = SafetensorsFile(tensors: sample.tensors, metadata: forwards)
        let b = SafetensorsFile(tensors: sample.tensors, metadata: backwards)
        #expect(try a.encoded() == b.encoded())
        // The header is padded with spaces to a multiple of 8 bytes.
        let bytes = try sample.encoded()
        let length = Int(bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect(length % 8 == 0)
        #expect(bytes[8 + length - 1] == 0x20 || bytes[8 + length - 1] == UInt8(ascii: "}"))
    }

    @Test("A golden file written out byte by byte from the specification")
    func golden() throws {
        // 8 bytes: the header length, 136 = 0x88, unsigned 64-bit little-endian.
        var golden: [UInt8] = [0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        // 132 bytes of compact JSON header, then 4 spaces to reach a multiple of 8.
        golden += Array(#"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#.utf8)
        golden += Array(#""b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#.utf8)
        golden += [0x20, 0x20, 0x20, 0x20]
        // Data: a = [1.0, -2.0], b = 0.5, float32 little-endian.
        golden += [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]
        golden += [0x00, 0x00, 0x00, 0x3F]
        #expect(golden.count == 8 + 136 + 12)

        let file = SafetensorsFile(
            tensors: [
                SafetensorsTensor(name: "a", shape: [2], values: [1, -2]),
                SafetensorsTensor(name: "b", shape: [], values: [0.5]),
            ],
            metadata: ["k": "v"]
        )
        #expect(Array(try file.encoded(checksums: false)) == golden)
        let decoded = try SafetensorsFile(decoding: Data(golden), source: "golden")
        #expect(decoded == file)
    }

    @Test("The reader accepts what the format allows: no padding, other whitespace, extra fields, escapes, any key order")
    func lenientWhereTheFormatIs() throws {
        let four: [UInt8] = [0, 0, 0x80, 0x3F]
        let variants = [
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
            "{ \"a\" : {\"data_offsets\" : [0, 4],\n\"shape\":[ 1 ],\t\"dtype\":\"F32\"} }\r\n ",
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"comment":{"any":[1.5,true,null]}}}"#,
            #"{"\u0061":{"dtype":"\u0046\u0033\u0032","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[-0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
        ]
        for header in variants {
            let decoded = try SafetensorsFile(decoding: file(header, data: four), source: "v")
            #expect(try decoded.tensor(named: decoded.tensors.last?.name ?? "").values == [1], "\(header)")
        }
        let surrogates = try SafetensorsFile(
            decoding: file(#"{"\ud835\udf16 \" \\ \/":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#, data: four), source: "v")
        #expect(surrogates.tensors[0].name == "\u{1D716} \" \\ /")
    }

    @Test("Read tensors come in data order; zero-size tensors keep their header order")
    func dataOrder() throws {
        let header = #"{"late":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"z0":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"#
            + #""early":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"z1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#
        let decoded = try SafetensorsFile(decoding: file(header, data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]), source: "o")
        #expect(decoded.tensors.map(\.name) == ["z0", "z1", "early", "late"])
        #expect(try decoded.tensor(named: "late").values == [2])
    }

    // MARK: Python's safetensors

    /// Tests/NeuralTests/Fixtures (excluded from the target in Package.swift), found from this file's path.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test("Reads a file written by Python's safetensors (scripts/safetensors-crosscheck.py write, safetensors 0.8.0)")
    func pythonWritten() throws {
        // Tests/NeuralTests/Fixtures/python-written.safetensors was written by
        // `python3 scripts/safetensors-crosscheck.py write …` with safetensors.numpy.save_file.
        let url = Self.fixtures.appendingPathComponent("python-written.safetensors")
        let read = try SafetensorsFile(contentsOf: url)
        #expect(read.metadata == ["written_by": "scripts/safetensors-crosscheck.py"])
        #expect(read.tensors.map(\.name) == ["bias", "empty", "scalar", "weight"])
        #expect(read.tensors.map(\.shape) == [[3], [0, 4], [], [2, 3]])
        #expect(bits(try read.tensor(named: "bias").values) == [0x8000_0000, 0x3FC0_0000, 0xC010_0000])
        #expect(try read.tensor(named: "empty").values.isEmpty)
        #expect(bits(try read.tensor(named: "scalar").values) == [0x4049_0FDB])  // float32(π)
        #expect(bits(try read.tensor(named: "weight").values) == [0x3F80_0000, 0xBF80_0000, 0x3F00_0000, 0x0000_0001, 0x7F80_0000, 0xFF80_0000])
        // Writing the same content gives Python's bytes exactly (sorted names, one metadata
        // key, so no checksums: they would be a second key).
        let rebuilt = SafetensorsFile(tensors: read.tensors, metadata: read.metadata)
        #expect(try rebuilt.encoded(checksums: false) == Data(contentsOf: url))
        #expect(!read.hasVerifiedChecksums)
    }

    @Test("Every prefix of a valid file (ours and Python's) fails to decode, with a SafetensorsError")
    func truncations() throws {
        let python = try Data(contentsOf: Self.fixtures.appendingPathComponent("python-written.safetensors"))
        for whole in [try sample.encoded(), python] {
            for length in 0..<whole.count {
                #expect(decodingError(whole.prefix(length)) != nil, "prefix of \(length) bytes decoded")
            }
            #expect(decodingError(whole) == nil)
        }
    }

    @Test(
        "Writes the cross-check file for Python to $SAFETENSORS_CROSSCHECK_OUT",
        .enabled(if: ProcessInfo.processInfo.environment["SAFETENSORS_CROSSCHECK_OUT"] != nil)
    )
    func writeForPython() throws {
        // scripts/safetensors-crosscheck.py check-swift FILE expects exactly this content.
        let path = ProcessInfo.processInfo.environment["SAFETENSORS_CROSSCHECK_OUT"] ?? ""
        let file = SafetensorsFile(
            tensors: [
                SafetensorsTensor(name: "layer.0.weight", shape: [2, 2], values: [0.25, -0.0, .greatestFiniteMagnitude, .leastNormalMagnitude]),
                SafetensorsTensor(name: "ε_θ", shape: [3], values: [.infinity, -.infinity, .leastNonzeroMagnitude]),
                SafetensorsTensor(name: "scalar", shape: [], values: [-7.5]),
                SafetensorsTensor(name: "nothing", shape: [0], values: []),
            ],
            metadata: ["written_by": "Tests/NeuralTests/SafetensorsTests.swift", "quote\"and\nnewline": "ü"]
        )
        try file.write(to: URL(fileURLWithPath: path))
        #expect(try SafetensorsFile(contentsOf: URL(fileURLWithPath: path)) == file)
    }

    @Test(
        "Reads the file Python wrote to $SAFETENSORS_CROSSCHECK_IN (scripts/safetensors-crosscheck.py write)",
        .enabled(if: ProcessInfo.processInfo.environment["SAFETENSORS_CROSSCHECK_IN"] != nil)
    )
    func readFromPython() throws {
        let path = ProcessInfo.processInfo.environment["SAFETENSORS_CROSSCHECK_IN"] ?? ""
        let read = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        let fixture = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("python-written.safetensors"))
        #expect(read.tensors.map(\.name) == fixture.tensors.map(\.name))
        #expect(read.tensors.map { bits($0.values) } == fixture.tensors.map { bits($0.values) })
        #expect(read.metadata == fixture.metadata)
    }

    // MARK: Errors: the length and the header

    @Test("Files shorter than 8 bytes; header lengths past the end or above 100 MB")
    func lengthErrors() {
        for count in 0..<8 {
            #expect(decodingError(Data(repeating: 0, count: count)) == .tooShort(source: "t.safetensors", byteCount: count))
        }
        #expect(decodingError(file("{}", length: 3)) == .headerLengthBeyondFile(source: "t.safetensors", headerLength: 3, fileSize: 10))
        #expect(decodingError(file("{}", length: 100_000_000)) == .headerLengthBeyondFile(source: "t.safetensors", headerLength: 100_000_000, fileSize: 10))
        #expect(decodingError(file("{}", length: 100_000_001)) == .headerLengthAbsurd(source: "t.safetensors", headerLength: 100_000_001))
        #expect(decodingError(file("{}", length: .max)) == .headerLengthAbsurd(source: "t.safetensors", headerLength: .max))
        #expect(SafetensorsError.headerLengthAbsurd(source: "s", headerLength: .max).description.contains("100 000 000"))
    }

    @Test("Headers that are not UTF-8, not JSON, or not an object")
    func headerErrors() {
        let badUTF8: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]
        for bad in badUTF8 {
            let bytes = Array(#"{"a"#.utf8) + bad + Array(#"":{}}"#.utf8)
            #expect(decodingError(file(headerBytes: bytes)) == .headerNotUTF8(source: "t.safetensors", byteOffset: 3), "\(bad)")
        }
        let notJSON = [
            #"{"a":"#, #"{"a":{"dtype":"F32",}}"#, "{} x", "{}}", #"{"a" 1}"#, "{a:1}", "{\"a\":\"line\nbreak\"}", #"{"a":"\ud800"}"#,
            #"{"a":"\udc00"}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":1e}"#, #"{"a":tru}"#,
            #"{"a":[1,2}"#, #"{"a":"unterminated}"#, "{" + String(repeating: #""a":["#, count: 1) + String(repeating: "[", count: 100),
            #"{"a":NaN}"#, #"{"a":Infinity}"#, #"{"a":+1}"#, #"{"a":'x'}"#,
        ]
        for header in notJSON {
            let error = decodingError(file(header))
            guard case .headerNotJSON = error else {
                Issue.record("\(header.debugDescription): \(String(describing: error))")
                continue
            }
        }
        // Nesting far deeper than any header needs is refused, not recursed into.
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        guard case let .headerNotJSON(_, reason) = decodingError(file(deep)) else { Issue.record("deep nesting"); return }
        #expect(reason.contains("nesting deeper than 64"))

        for header in ["", " {}", "[]", #""x""#, "1", "\n{}"] {
            guard case .headerNotObject = decodingError(file(header)) else {
                Issue.record("\(header.debugDescription) is not an object")
                continue
            }
        }
    }

    // MARK: Errors: tensor entries

    @Test("Entries that are not objects, miss a field, or hold the wrong JSON types")
    func entryErrors() {
        let s = "t.safetensors"
        #expect(decodingError(file(#"{"a":5}"#)) == .entryNotObject(source: s, tensor: "a", found: "5"))
        #expect(decodingError(file(#"{"a":[0,4]}"#)) == .entryNotObject(source: s, tensor: "a", found: "[0, 4]"))
        #expect(decodingError(file(entry(#""shape":[1],"data_offsets":[0,4]"#))) == .missingField(source: s, tensor: "a", field: "dtype"))
        #expect(decodingError(file(entry(#""dtype":"F32","data_offsets":[0,4]"#))) == .missingField(source: s, tensor: "a", field: "shape"))
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[1]"#))) == .missingField(source: s, tensor: "a", field: "data_offsets"))

        let wrong: [(fields: String, field: String, found: String)] = [
            (#""dtype":32,"shape":[1],"data_offsets":[0,4]"#, "dtype", "32"),
            (#""dtype":["F32"],"shape":[1],"data_offsets":[0,4]"#, "dtype", #"["F32"]"#),
            (#""dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]"#, "dtype", "given 2 times"),
            (#""dtype":"F32","shape":"1","data_offsets":[0,4]"#, "shape", #""1""#),
            (#""dtype":"F32","shape":[1.5],"data_offsets":[0,4]"#, "shape", "[1.5]"),
            (#""dtype":"F32","shape":[1.0],"data_offsets":[0,4]"#, "shape", "[1.0]"),
            (#""dtype":"F32","shape":[1e0],"data_offsets":[0,4]"#, "shape", "[1e0]"),
            (#""dtype":"F32","shape":[1e400],"data_offsets":[0,4]"#, "shape", "[1e400]"),
            (#""dtype":"F32","shape":[true],"data_offsets":[0,4]"#, "shape", "[true]"),
            (#""dtype":"F32","shape":[null],"data_offsets":[0,4]"#, "shape", "[null]"),
            (#""dtype":"F32","shape":[[1]],"data_offsets":[0,4]"#, "shape", "[[1]]"),
            (#""dtype":"F32","shape":{},"data_offsets":[0,4]"#, "shape", "{}"),
            (#""dtype":"F32","shape":[1],"data_offsets":[0]"#, "data_offsets", "[0]"),
            (#""dtype":"F32","shape":[1],"data_offsets":[0,4,8]"#, "data_offsets", "[0, 4, 8]"),
            (#""dtype":"F32","shape":[1],"data_offsets":[-1,3]"#, "data_offsets", "[-1, 3]"),
            (#""dtype":"F32","shape":[1],"data_offsets":[0,4.0]"#, "data_offsets", "[0, 4.0]"),
            (#""dtype":"F32","shape":[1],"data_offsets":["0","4"]"#, "data_offsets", #"["0", "4"]"#),
            (#""dtype":"F32","shape":[1],"data_offsets":[false,4]"#, "data_offsets", "[false, 4]"),
            (#""dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]"#, "data_offsets", "[0, 99999999999999999999]"),
            (#""dtype":"F32","shape":[1],"data_offsets":{"begin":0,"end":4}"#, "data_offsets", "{…}"),
        ]
        for (fields, field, found) in wrong {
            #expect(decodingError(file(entry(fields), data: [0, 0, 0, 0])) == .wrongFieldType(source: s, tensor: "a", field: field, found: found), "\(fields)")
        }
    }

    @Test("Only F32 is accepted; the error names the dtype found", arguments: ["F16", "BF16", "F64", "I32", "U8", "BOOL", "f32", "F8_E4M3", ""])
    func unsupportedDTypes(dtype: String) {
        let error = decodingError(file(entry(#""dtype":"\#(dtype)","shape":[1],"data_offsets":[0,4]"#), data: [0, 0, 0, 0]))
        #expect(error == .unsupportedDType(source: "t.safetensors", tensor: "a", dtype: dtype))
        #expect(error?.description.contains("\"\(dtype)\"") == true)
        #expect(error?.description.contains("only \"F32\"") == true)
    }

    @Test("Negative dimensions, dimensions above 64 bits, byte counts that overflow")
    func shapeErrors() {
        let cases: [(shape: String, reason: String)] = [
            ("[-1]", "dimension -1 is negative"),
            ("[2,-3]", "dimension -3 is negative"),
            ("[99999999999999999999]", "a dimension does not fit in 64 bits"),
            ("[9223372036854775808]", "a dimension does not fit in 64 bits"),
            ("[-9223372036854775809]", "a dimension does not fit in 64 bits"),
            ("[2305843009213693952]", "the byte count overflows 64 bits"),  // 2^61 · 4 = 2^63
            ("[4294967296,4294967296]", "the byte count overflows 64 bits"),
            ("[9223372036854775807,9223372036854775807,0]", "the byte count overflows 64 bits"),
        ]
        for (shape, reason) in cases {
            let error = decodingError(file(entry(#""dtype":"F32","shape":\#(shape),"data_offsets":[0,4]"#), data: [0, 0, 0, 0]))
            guard case let .invalidShape(_, tensor, _, found) = error else {
                Issue.record("\(shape): \(String(describing: error))")
                continue
            }
            #expect(tensor == "a" && found == reason, "\(shape)")
        }
        // Zero-size tensors are fine.
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[4096,0,4096],"data_offsets":[0,0]"#))) == nil)
    }

    @Test("Offsets out of range or reversed, sizes other than product(shape)·4, overlaps, gaps, trailing bytes")
    func layoutErrors() {
        let s = "t.safetensors"
        let eight = [UInt8](repeating: 0, count: 8)
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[1],"data_offsets":[8,4]"#), data: eight))
            == .invalidOffsets(source: s, tensor: "a", begin: 8, end: 4, dataSize: 8))
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[1],"data_offsets":[4,12]"#), data: eight))
            == .invalidOffsets(source: s, tensor: "a", begin: 4, end: 12, dataSize: 8))
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775807]"#), data: eight))
            == .invalidOffsets(source: s, tensor: "a", begin: 9_223_372_036_854_775_800, end: .max, dataSize: 8))
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[2],"data_offsets":[0,4]"#), data: eight))
            == .sizeMismatch(source: s, tensor: "a", shape: [2], byteCount: 4))
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[1],"data_offsets":[0,8]"#), data: eight))
            == .sizeMismatch(source: s, tensor: "a", shape: [1], byteCount: 8))
        #expect(decodingError(file(entry(#""dtype":"F32","shape":[],"data_offsets":[0,3]"#), data: eight))
            == .sizeMismatch(source: s, tensor: "a", shape: [], byteCount: 3))

        let two = { (a: String, b: String) in
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":\#(a)},"b":{"dtype":"F32","shape":[2],"data_offsets":\#(b)}}"#
        }
        let twelve = [UInt8](repeating: 0, count: 12), sixteen = [UInt8](repeating: 0, count: 16)
        #expect(decodingError(file(two("[0,8]", "[4,12]"), data: twelve)) == .misplacedTensor(source: s, tensor: "b", begin: 4, expectedBegin: 8))
        #expect(decodingError(file(two("[0,8]", "[0,8]"), data: eight)) == .misplacedTensor(source: s, tensor: "b", begin: 0, expectedBegin: 8))
        #expect(decodingError(file(two("[0,8]", "[12,20]"), data: twelve + eight)) == .misplacedTensor(source: s, tensor: "b", begin: 12, expectedBegin: 8))
        #expect(decodingError(file(two("[4,12]", "[12,20]"), data: twelve + eight)) == .misplacedTensor(source: s, tensor: "a", begin: 4, expectedBegin: 0))
        #expect(decodingError(file(two("[0,8]", "[8,16]"), data: sixteen + [1])) == .trailingBytes(source: s, usedBytes: 16, dataSize: 17))
        #expect(decodingError(file("{}", data: [0])) == .trailingBytes(source: s, usedBytes: 0, dataSize: 1))
        #expect(decodingError(file(two("[0,8]", "[8,16]"), data: sixteen)) == nil)
        #expect(SafetensorsError.misplacedTensor(source: s, tensor: "b", begin: 4, expectedBegin: 8).description.contains("overlaps"))
        #expect(SafetensorsError.misplacedTensor(source: s, tensor: "b", begin: 12, expectedBegin: 8).description.contains("gap of 4 bytes"))
    }

    @Test("Duplicate names, metadata that is not an object of strings, duplicate metadata keys")
    func nameAndMetadataErrors() {
        let s = "t.safetensors"
        let a = #""a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#
        let four: [UInt8] = [0, 0, 0, 0]
        #expect(decodingError(file("{\(a),\(a)}", data: four)) == .duplicateName(source: s, name: "a"))
        #expect(decodingError(file(#"{"__metadata__":{},"__metadata__":{}}"#)) == .duplicateName(source: s, name: "__metadata__"))
        #expect(decodingError(file(#"{"__metadata__":[]}"#)) == .metadataNotObject(source: s, found: "[]"))
        #expect(decodingError(file(#"{"__metadata__":"x"}"#)) == .metadataNotObject(source: s, found: #""x""#))
        #expect(decodingError(file(#"{"__metadata__":{"k":1}}"#)) == .metadataNotString(source: s, key: "k", found: "1"))
        #expect(decodingError(file(#"{"__metadata__":{"k":null}}"#)) == .metadataNotString(source: s, key: "k", found: "null"))
        #expect(decodingError(file(#"{"__metadata__":{"k":["v"]}}"#)) == .metadataNotString(source: s, key: "k", found: #"["v"]"#))
        #expect(decodingError(file(#"{"__metadata__":{"k":"v","k":"w"}}"#)) == .duplicateMetadataKey(source: s, key: "k"))
    }

    @Test("tensor(named:) lists the names present when the name is missing")
    func tensorNotFound() throws {
        let error = #expect(throws: SafetensorsError.self) { try sample.tensor(named: "Weight") }
        #expect(error == .tensorNotFound(source: "(in memory)", name: "Weight", available: ["weight", "bias", "empty", "ε_θ"]))
        #expect(error?.description.contains(#""weight", "bias", "empty", "ε_θ""#) == true)
        #expect(SafetensorsError.tensorNotFound(source: "f", name: "x", available: []).description.contains("holds no tensors"))
    }

    @Test("Encoding refuses duplicate and reserved names, negative or overflowing shapes, wrong value counts")
    func encodingErrors() {
        let s = "(in memory)"
        let t = { (name: String, shape: [Int], count: Int) in SafetensorsTensor(name: name, shape: shape, values: Array(repeating: 1, count: count)) }
        #expect(throws: SafetensorsError.duplicateName(source: s, name: "w")) { try SafetensorsFile(tensors: [t("w", [1], 1), t("w", [1], 1)]).encoded() }
        #expect(throws: SafetensorsError.reservedName(source: s)) { try SafetensorsFile(tensors: [t("__metadata__", [1], 1)]).encoded() }
        #expect(throws: SafetensorsError.valueCountMismatch(source: s, tensor: "w", shape: [2, 3], valueCount: 5)) {
            try SafetensorsFile(tensors: [t("w", [2, 3], 5)]).encoded()
        }
        #expect(throws: SafetensorsError.invalidShape(source: s, tensor: "w", shape: "[2, -1]", reason: "dimension -1 is negative")) {
            try SafetensorsFile(tensors: [t("w", [2, -1], 0)]).encoded()
        }
        #expect(throws: SafetensorsError.invalidShape(source: s, tensor: "w", shape: "[\(Int.max), 2]", reason: "the byte count overflows 64 bits")) {
            try SafetensorsFile(tensors: [t("w", [.max, 2], 0)]).encoded()
        }
    }

    // MARK: Files

    @Test("Writing is atomic: the file appears whole, no temporary file stays behind, overwriting works")
    func atomicWrite() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nested/model.safetensors")
        try sample.write(to: url)
        try SafetensorsFile(metadata: ["second": "write"]).write(to: url)
        let listing = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(listing == ["model.safetensors"])
        let read = try SafetensorsFile(contentsOf: url)
        #expect(read.metadata == ["second": "write"] && read.tensors.isEmpty && read.source == url.path)
        try sample.write(to: url)
        #expect(try SafetensorsFile(contentsOf: url).encoded() == sample.encoded())  // bytes: sample holds a NaN
    }

    @Test("Unwritable paths throw .unwritable with the path and the reason, and leave nothing behind")
    func unwritable() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: plain)
        // A path through a regular file, and a path that is an existing folder.
        let inside = plain.appendingPathComponent("model.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try sample.write(to: inside) }
        guard case let .unwritable(path, reason) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == inside.path && !reason.isEmpty)
        #expect(error?.description.contains("cannot write") == true)

        let target = folder.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let folderError = #expect(throws: SafetensorsError.self) { try sample.write(to: target) }
        guard case .unwritable = folderError else { Issue.record("\(String(describing: folderError))"); return }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["a-folder", "plain-file"])
    }

    @Test("Reading a missing file or a folder throws missingFile / unreadable")
    func readErrors() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("none.safetensors")
        #expect(throws: SafetensorsError.missingFile(path: missing.path)) { try SafetensorsFile(contentsOf: missing) }
        #expect(throws: SafetensorsError.unreadable(path: folder.path, reason: "it is a folder")) { try SafetensorsFile(contentsOf: folder) }
        let short = folder.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: short)
        #expect(throws: SafetensorsError.tooShort(source: short.path, byteCount: 3)) { try SafetensorsFile(contentsOf: short) }
    }

    @Test("Every error's description names the file and what is accepted")
    func descriptions() {
        let errors: [SafetensorsError] = [
            .missingFile(path: "f"), .unreadable(path: "f", reason: "r"), .tooShort(source: "f", byteCount: 1),
            .headerLengthBeyondFile(source: "f", headerLength: 9, fileSize: 8), .headerLengthAbsurd(source: "f", headerLength: 1 << 40),
            .headerNotUTF8(source: "f", byteOffset: 0), .headerNotJSON(source: "f", reason: "r"), .headerNotObject(source: "f", found: "is empty"),
            .entryNotObject(source: "f", tensor: "t", found: "1"), .missingField(source: "f", tensor: "t", field: "shape"),
            .wrongFieldType(source: "f", tensor: "t", field: "shape", found: "1"), .unsupportedDType(source: "f", tensor: "t", dtype: "F16"),
            .invalidShape(source: "f", tensor: "t", shape: "[-1]", reason: "r"), .invalidOffsets(source: "f", tensor: "t", begin: 0, end: 9, dataSize: 8),
            .sizeMismatch(source: "f", tensor: "t", shape: [.max, .max], byteCount: 4), .misplacedTensor(source: "f", tensor: "t", begin: .min, expectedBegin: .max),
            .trailingBytes(source: "f", usedBytes: 0, dataSize: 4), .duplicateName(source: "f", name: "t"), .reservedName(source: "f"),
            .metadataNotObject(source: "f", found: "[]"), .metadataNotString(source: "f", key: "k", found: "1"),
            .duplicateMetadataKey(source: "f", key: "k"), .tensorNotFound(source: "f", name: "t", available: ["u"]),
            .valueCountMismatch(source: "f", tensor: "t", shape: [2], valueCount: 1), .unwritable(path: "f", reason: "r"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("f: "), "\(error)")
            #expect(error.description.count > 30, "\(error)")
            #expect(error.description.contains(";"), "no 'what is accepted' part: \(error)")
        }
    }
}
