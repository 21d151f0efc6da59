import Foundation
import Testing

@testable import Neural

/// Per-tensor CRC-32s in the `"crc32"` metadata: written by default, verified on reading,
/// the failing tensor named.
@Suite("Safetensors checksums")
struct SafetensorsChecksumTests {
    static let model = SafetensorsFile(
        tensors: [
            SafetensorsTensor(name: "layer.0.weight", shape: [4, 8], values: (0..<32).map { Float($0 - 16) / 64 }),
            SafetensorsTensor(name: "layer.0.bias", shape: [4], values: [0.01, -0.02, 0.03, -0.04]),
            SafetensorsTensor(name: "empty", shape: [0], values: []),
            SafetensorsTensor(name: "ε \"quoted\"", shape: [], values: [1.5]),
        ],
        metadata: ["step": "7"]
    )

    /// The data section's first byte in `bytes`.
    static func dataStart(_ bytes: Data) -> Int {
        8 + Int(UInt64(littleEndian: bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
    }

    /// `bytes` with the high byte (sign and exponent) of float `index` of the data section
    /// XOR `mask`: with 0x40, 0.01 (0x3C23D70A) becomes 3.4e36 (0x7C23D70A), finite — the
    /// damage that loads silently.
    static func flipped(_ bytes: Data, float index: Int, mask: UInt8 = 0x40) -> Data {
        var bytes = bytes
        let position = bytes.startIndex + dataStart(bytes) + 4 * index + 3
        bytes[position] ^= mask
        return bytes
    }

    static func error(decoding data: Data) -> SafetensorsError? {
        do {
            _ = try SafetensorsFile(decoding: data, source: "m.safetensors")
            return nil
        } catch {
            return error
        }
    }

    @Test("CRC-32 is zlib's: the standard check value of \"123456789\" is cbf43926")
    func checkValue() {
        let crc = Array("123456789".utf8).withUnsafeBytes { SafetensorsChecksums.crc32($0) }
        #expect(SafetensorsChecksums.hex(crc) == "cbf43926")
        #expect(SafetensorsChecksums.hex([UInt8]().withUnsafeBytes { SafetensorsChecksums.crc32($0) }) == "00000000")
        #expect(SafetensorsChecksums.hex(0x1F) == "0000001f")
    }

    @Test("A golden checksummed file: the CRC-32s of each tensor's bytes (computed by Python's zlib.crc32) in the metadata")
    func golden() throws {
        // a = [1, -2] is 00 00 80 3F 00 00 00 C0, b = 0.5 is 00 00 00 3F;
        // python3 -c 'import zlib; print(hex(zlib.crc32(bytes([0,0,0x80,0x3F,0,0,0,0xC0]))), hex(zlib.crc32(bytes([0,0,0,0x3F]))))'
        // prints 0xc3872656 0x9722f221.
        var header = Array(#"{"__metadata__":{"crc32":"{\"a\":\"c3872656\",\"b\":\"9722f221\"}","k":"v"},"#.utf8)
        header += Array(#""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#.utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        let golden = withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header
            + [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F]
        let file = SafetensorsFile(
            tensors: [SafetensorsTensor(name: "a", shape: [2], values: [1, -2]), SafetensorsTensor(name: "b", shape: [], values: [0.5])],
            metadata: ["k": "v"]
        )
        #expect(Array(try file.encoded()) == golden)
        let read = try SafetensorsFile(decoding: Data(golden), source: "golden")
        #expect(read == file && read.metadata == ["k": "v"] && read.hasVerifiedChecksums)
    }

    @Test("Written by default, verified and removed on reading; checksums: false writes none and reads unchecked")
    func roundTrip() throws {
        let bytes = try Self.model.encoded()
        let read = try SafetensorsFile(decoding: bytes, source: "m")
        #expect(read == Self.model && read.metadata == ["step": "7"] && read.hasVerifiedChecksums)
        #expect(try read.encoded() == bytes)
        let plain = try SafetensorsFile(decoding: Self.model.encoded(checksums: false), source: "m")
        #expect(plain == Self.model && !plain.hasVerifiedChecksums)
        #expect(try Self.model.encoded(checksums: false).count < bytes.count)
    }

    @Test("A flipped exponent byte: finite weights that load silently without checksums; with them, the tensor is named")
    func flippedExponent() throws {
        // Float 32 is layer.0.bias[0] = 0.01 (the weight's 32 floats come first).
        let unchecked = try SafetensorsFile(decoding: Self.flipped(Self.model.encoded(checksums: false), float: 32), source: "m")
        let damaged = try unchecked.tensor(named: "layer.0.bias").values[0]
        #expect(damaged.isFinite && damaged > 1e30, "the damage this guards against: \(damaged)")

        let error = Self.error(decoding: Self.flipped(try Self.model.encoded(), float: 32))
        guard case let .checksumMismatch(source, tensor, _, _, others) = error else {
            Issue.record("expected a checksum mismatch, got \(String(describing: error))")
            return
        }
        #expect(source == "m.safetensors" && tensor == "layer.0.bias" && others == 0)
        let message = try #require(error?.description)
        #expect(message.contains("tensor \"layer.0.bias\" fails its checksum") && message.contains("restore the file"), "\(message)")

        // Every single-bit change of every float is caught, in the tensor it hits.
        let bytes = try Self.model.encoded()
        for float in 0..<37 {
            for bit in 0..<8 {
                let hit = float < 32 ? "layer.0.weight" : float < 36 ? "layer.0.bias" : "ε \"quoted\""
                guard case let .checksumMismatch(_, tensor, _, _, _) = Self.error(decoding: Self.flipped(bytes, float: float, mask: 1 << bit)), tensor == hit else {
                    Issue.record("float \(float), bit \(bit) not caught in \(hit)")
                    return
                }
            }
        }
    }

    @Test("Damage in two tensors names the first and counts the other")
    func twoTensors() throws {
        let bytes = Self.flipped(Self.flipped(try Self.model.encoded(), float: 0), float: 36)
        guard case let .checksumMismatch(_, tensor, _, _, others) = Self.error(decoding: bytes) else {
            Issue.record("not caught")
            return
        }
        #expect(tensor == "layer.0.weight" && others == 1)
        #expect(Self.error(decoding: bytes)?.description.contains("(and 1 more tensor)") == true)
    }

    @Test("Checksum metadata that is not every tensor once with 8 hex digits is refused, saying what is accepted")
    func unreadable() throws {
        let good = try #require(try SafetensorsFile(decoding: Self.model.encoded(checksums: false), source: "m").tensors.first)
        let one = [good]
        let cases: [(value: String, reason: String)] = [
            ("not json", "it is not JSON"),
            ("[]", "not an object"),
            (#"{"layer.0.weight":"1234567"}"#, "not 8 lowercase hexadecimal digits"),
            (#"{"layer.0.weight":"ABCDEF01"}"#, "not 8 lowercase hexadecimal digits"),
            (#"{"layer.0.weight":12345678}"#, "not 8 lowercase hexadecimal digits"),
            (#"{}"#, "tensor \"layer.0.weight\" has no entry"),
            (#"{"layer.0.weight":"00000000","layer.0.weight":"00000000"}"#, "appears twice"),
            (#"{"layer.0.weight":"00000000","other":"00000000"}"#, "\"other\", which is not a tensor"),
        ]
        #expect(cases.count == 8)
        for (value, reason) in cases {
            let bytes = try SafetensorsFile(tensors: one, metadata: ["crc32": value]).encoded(checksums: false)
            let error = Self.error(decoding: bytes)
            guard case .checksumsUnreadable = error else {
                Issue.record("\(value): expected checksumsUnreadable, got \(String(describing: error))")
                continue
            }
            #expect(error?.description.contains(reason) == true && error?.description.contains("8 lowercase hexadecimal digits") == true,
                    "\(value): \(String(describing: error))")
        }
    }

    @Test("Metadata of one's own under \"crc32\" is refused when checksums are written")
    func reservedKey() {
        let file = SafetensorsFile(tensors: [], metadata: ["crc32": "mine"])
        #expect(throws: SafetensorsError.reservedMetadataKey(source: "(in memory)", key: "crc32")) { try file.encoded() }
        #expect(throws: Never.self) { try file.encoded(checksums: false) }
    }
}

@Suite("Reading a safetensors file one tensor at a time (forEachTensor)")
struct SafetensorsStreamingTests {
    func written(_ bytes: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString).safetensors")
        try bytes.write(to: url)
        return url
    }

    func streamed(_ url: URL) throws -> [SafetensorsTensor] {
        var tensors: [SafetensorsTensor] = []
        try SafetensorsFile.forEachTensor(contentsOf: url) { name, shape, values in
            tensors.append(SafetensorsTensor(name: name, shape: shape, values: Array(values)))
        }
        return tensors
    }

    @Test("gives the tensors init(contentsOf:) gives, with and without checksums")
    func sameTensors() throws {
        for checksums in [true, false] {
            let url = try written(try SafetensorsChecksumTests.model.encoded(checksums: checksums))
            defer { try? FileManager.default.removeItem(at: url) }
            let whole = try SafetensorsFile(contentsOf: url)
            let tensors = try streamed(url)
            #expect(!tensors.isEmpty && tensors.sorted { $0.name < $1.name } == whole.tensors.sorted { $0.name < $1.name })
        }
    }

    @Test("a flipped bit is named by its tensor's checksum; a cut file and a missing one are refused")
    func refusals() throws {
        let damaged = try written(SafetensorsChecksumTests.flipped(try SafetensorsChecksumTests.model.encoded(), float: 32))
        defer { try? FileManager.default.removeItem(at: damaged) }
        #expect {
            try streamed(damaged)
        } throws: { error in
            guard case let .checksumMismatch(_, tensor, _, _, _) = error as? SafetensorsError else { return false }
            return tensor == "layer.0.bias"
        }
        let bytes = try SafetensorsChecksumTests.model.encoded()
        let cut = try written(bytes.prefix(bytes.count - 3))
        defer { try? FileManager.default.removeItem(at: cut) }
        #expect(throws: SafetensorsError.self) { try streamed(cut) }
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).safetensors")
        #expect {
            try streamed(missing)
        } throws: { error in
            guard case .missingFile = error as? SafetensorsError else { return false }
            return true
        }
    }
}
