import LatentDiffusion
import Testing

@Suite("IDX files: decoding valid files, and a typed error for every malformed one")
struct IDXFileTests {
    static let source = "test.idx"

    /// A header: magic 0 0, type, dimension count, then the big-endian sizes.
    static func header(type: UInt8 = 0x08, sizes: [UInt32]) -> [UInt8] {
        [0, 0, type, UInt8(sizes.count)] + sizes.flatMap { size in (0..<4).map { UInt8(truncatingIfNeeded: size >> (24 - 8 * UInt32($0))) } }
    }

    func decode(_ bytes: [UInt8]) throws(IDXError) -> IDXFile {
        try IDXFile(decoding: bytes, source: Self.source)
    }

    func expectError(_ bytes: [UInt8], _ expected: IDXError, mentioning words: [String]) {
        do {
            let file = try decode(bytes)
            Issue.record("accepted \(bytes.count) bytes as \(file.dimensions)")
        } catch {
            #expect(error == expected)
            #expect(error.description.hasPrefix(Self.source + ": "))
            for word in words { #expect(error.description.contains(word), "\(error.description)") }
        }
    }

    @Test("A [2, 3] file decodes to its sizes and row-major bytes, and re-encodes to the same bytes")
    func decodesMatrix() throws {
        let bytes = Self.header(sizes: [2, 3]) + [1, 2, 3, 4, 5, 255]
        let file = try decode(bytes)
        #expect(file.dimensions == [2, 3])
        #expect(file.bytes == [1, 2, 3, 4, 5, 255])
        #expect(file.encoded() == bytes)
        #expect(try IDXFile(dimensions: [2, 3], bytes: [1, 2, 3, 4, 5, 255]) == file)
    }

    @Test("Sizes are big-endian: 0x00000100 is 256, and a size of zero holds no data")
    func bigEndianAndEmpty() throws {
        let labels = try decode(Self.header(sizes: [256]) + [UInt8](repeating: 7, count: 256))
        #expect(labels.dimensions == [256])
        let empty = try decode(Self.header(sizes: [0, 28, 28]))
        #expect(empty.dimensions == [0, 28, 28])
        #expect(empty.bytes.isEmpty)
        let deepest = try decode(Self.header(sizes: [UInt32](repeating: 1, count: 8)) + [42])
        #expect(deepest.dimensions.count == IDXFile.maximumDimensionCount)
    }

    @Test("Too short for the 4-byte magic, or for the sizes the dimension count announces")
    func truncatedHeader() {
        expectError([], .truncatedHeader(source: Self.source, byteCount: 0, needed: 4), mentioning: ["0 bytes", "truncated"])
        expectError([0, 0, 8], .truncatedHeader(source: Self.source, byteCount: 3, needed: 4), mentioning: ["4-byte header"])
        expectError([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0], .truncatedHeader(source: Self.source, byteCount: 11, needed: 16),
                    mentioning: ["16-byte header"])
    }

    @Test("The first two bytes must be zero")
    func wrongMagic() {
        expectError([0x1F, 0x8B, 8, 1, 0, 0, 0, 0], .wrongMagic(source: Self.source, first: 0x1F, second: 0x8B),
                    mentioning: ["0x1F 0x8B", "two zero bytes"])
        expectError([0, 1, 8, 1, 0, 0, 0, 0], .wrongMagic(source: Self.source, first: 0, second: 1), mentioning: ["0x00 0x01"])
    }

    @Test("Only unsigned bytes (type 0x08) are supported; other types are named", arguments: [
        (UInt8(0x0D), "32-bit float"), (0x09, "signed byte"), (0x0E, "64-bit float"), (0x00, "not a type"), (0xFF, "not a type"),
    ])
    func unsupportedType(code: UInt8, name: String) {
        expectError(Self.header(type: code, sizes: [1]) + [0], .unsupportedType(source: Self.source, typeCode: code),
                    mentioning: [name, "only 0x08"])
    }

    @Test("A dimension count of 0 or above 8 is refused before any size is read", arguments: [0, 9, 255])
    func invalidDimensionCount(count: Int) {
        expectError([0, 0, 8, UInt8(count)], .invalidDimensionCount(source: Self.source, count: count),
                    mentioning: ["\(count) dimensions", "1 to 8"])
    }

    @Test("Sizes whose product overflows 64 bits are refused, not multiplied with a trap")
    func sizeOverflow() {
        let sizes: [UInt32] = [.max, .max, .max]
        expectError(Self.header(sizes: sizes) + [1, 2, 3],
                    .sizeOverflow(source: Self.source, dimensions: sizes.map(Int.init)), mentioning: ["64 bits"])
        let two: [UInt32] = [.max, .max]  // (2³²−1)² ≈ 1.8·10¹⁹ > Int.max
        expectError(Self.header(sizes: two), .sizeOverflow(source: Self.source, dimensions: two.map(Int.init)), mentioning: ["corrupt"])
    }

    @Test("Data shorter than the sizes say, including huge sizes (nothing is allocated from them)")
    func dataTooShort() {
        expectError(Self.header(sizes: [5]) + [1, 2, 3],
                    .dataTooShort(source: Self.source, dimensions: [5], expected: 5, found: 3), mentioning: ["need 5", "only 3"])
        let huge: [UInt32] = [.max, 1 << 28]  // 1.15·10¹⁸ elements: fits in 64 bits, far beyond the data
        let elements = Int(UInt32.max) * (1 << 28)
        expectError(Self.header(sizes: huge) + [0],
                    .dataTooShort(source: Self.source, dimensions: huge.map(Int.init), expected: elements, found: 1),
                    mentioning: ["truncated"])
    }

    @Test("Data longer than the sizes say")
    func dataTooLong() {
        expectError(Self.header(sizes: [2, 2]) + [1, 2, 3, 4, 5],
                    .dataTooLong(source: Self.source, dimensions: [2, 2], expected: 4, found: 5), mentioning: ["1 extra bytes"])
        expectError(Self.header(sizes: [0]) + [9],
                    .dataTooLong(source: Self.source, dimensions: [0], expected: 0, found: 1), mentioning: ["need 0"])
    }

    @Test("Contents built in code are checked before encoding")
    func invalidContents() {
        #expect(throws: IDXError.self) { try IDXFile(dimensions: [], bytes: []) }
        #expect(throws: IDXError.self) { try IDXFile(dimensions: [-1], bytes: []) }
        #expect(throws: IDXError.self) { try IDXFile(dimensions: [Int(UInt32.max) + 1], bytes: []) }
        #expect(throws: IDXError.self) { try IDXFile(dimensions: [2, 2], bytes: [1, 2, 3]) }
        #expect(throws: IDXError.self) { try IDXFile(dimensions: [Int](repeating: 1, count: 9), bytes: [0]) }
    }

    @Test("Every prefix and every single-bit flip of a valid file decodes or throws an IDXError, never traps")
    func prefixesAndFlips() throws {
        let valid = Self.header(sizes: [2, 2, 3]) + (0..<12).map(UInt8.init)
        var accepted = 0
        for length in 0...valid.count where (try? decode(Array(valid.prefix(length)))) != nil { accepted += 1 }
        #expect(accepted == 1)  // only the whole file
        for position in 0..<valid.count {
            for bit in 0..<8 {
                var bytes = valid
                bytes[position] ^= 1 << UInt8(bit)
                if let file = try? decode(bytes) {
                    #expect(file.encoded() == bytes)
                    #expect(file.bytes.count == file.dimensions.reduce(1, *))
                }
            }
        }
    }
}
