import Foundation

/// One IDX file (LeCun's format of the MNIST and Fashion-MNIST data): an array of
/// unsigned bytes with its dimensions.
///
/// Layout: two zero bytes; a type byte (0x08 = unsigned byte, the only type accepted
/// here); a dimension count byte d; d sizes, each a big-endian UInt32; then
/// size₁ × … × size_d data bytes in row-major order (the last dimension varies fastest).
/// Fashion-MNIST's images are [N, 28, 28] (magic 0x00000803), its labels [N] (0x00000801).
///
/// Decoding validates every field and never traps: a truncated header, a wrong magic, an
/// unsupported type, a dimension count of 0 or above `maximumDimensionCount`, sizes whose
/// product overflows, and data shorter or longer than the sizes say are each an `IDXError`.
/// Nothing is allocated from a size in the header before the data is known to be there.
public struct IDXFile: Sendable, Equatable {
    /// The most dimensions accepted. The format's byte allows 255; real files have 1 or 3,
    /// and a count far above that is a corrupt header.
    public static let maximumDimensionCount = 8

    /// The type byte of unsigned-byte data.
    public static let unsignedByteType: UInt8 = 0x08

    /// The sizes, outermost first (each 0 … 2³²−1).
    public let dimensions: [Int]
    /// The data bytes, row-major; `bytes.count` is the product of `dimensions`.
    public let bytes: [UInt8]

    /// Decodes the bytes of a whole IDX file. `source` (a path, or a label for bytes in
    /// memory) starts every error's description.
    public init(decoding bytes: [UInt8], source: String) throws(IDXError) {
        guard bytes.count >= 4 else { throw .truncatedHeader(source: source, byteCount: bytes.count, needed: 4) }
        guard bytes[0] == 0, bytes[1] == 0 else { throw .wrongMagic(source: source, first: bytes[0], second: bytes[1]) }
        guard bytes[2] == Self.unsignedByteType else { throw .unsupportedType(source: source, typeCode: bytes[2]) }
        let rank = Int(bytes[3])
        guard (1...Self.maximumDimensionCount).contains(rank) else {
            throw .invalidDimensionCount(source: source, count: rank)
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .truncatedHeader(source: source, byteCount: bytes.count, needed: headerSize)
        }
        var dimensions: [Int] = []
        dimensions.reserveCapacity(rank)
        for index in 0..<rank {
            let offset = 4 + 4 * index
            let size = UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
            dimensions.append(Int(size))
        }
        var elements = 1
        for size in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .sizeOverflow(source: source, dimensions: dimensions) }
            elements = product
        }
        let found = bytes.count - headerSize
        guard found >= elements else {
            throw .dataTooShort(source: source, dimensions: dimensions, expected: elements, found: found)
        }
        guard found == elements else {
            throw .dataTooLong(source: source, dimensions: dimensions, expected: elements, found: found)
        }
        self.dimensions = dimensions
        self.bytes = Array(bytes[headerSize...])
    }

    /// Decodes an IDX file held in `data` (see `init(decoding:source:)` for `[UInt8]`).
    public init(decoding data: Data, source: String) throws(IDXError) {
        try self.init(decoding: [UInt8](data), source: source)
    }

    /// An IDX file of unsigned bytes with these dimensions and data, as code builds one to
    /// encode. Throws `IDXError.invalidContents` unless there are 1 … `maximumDimensionCount`
    /// dimensions, each in 0 … 2³²−1, whose product is `bytes.count`.
    public init(dimensions: [Int], bytes: [UInt8]) throws(IDXError) {
        let source = "IDX contents"
        guard (1...Self.maximumDimensionCount).contains(dimensions.count) else {
            throw .invalidContents(source: source, reason: "\(dimensions.count) dimensions given, 1 to \(Self.maximumDimensionCount) accepted")
        }
        guard dimensions.allSatisfy({ $0 >= 0 && UInt64($0) <= UInt64(UInt32.max) }) else {
            throw .invalidContents(source: source, reason: "sizes \(dimensions) given; each must be in 0 … \(UInt32.max)")
        }
        var elements = 1
        for size in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .sizeOverflow(source: source, dimensions: dimensions) }
            elements = product
        }
        guard elements == bytes.count else {
            throw .invalidContents(source: source, reason: "sizes \(dimensions) need \(elements) bytes, \(bytes.count) given")
        }
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// The file's bytes: header (magic 0x00 0x00 0x08 d, big-endian sizes), then the data.
    public func encoded() -> [UInt8] {
        var result: [UInt8] = [0, 0, Self.unsignedByteType, UInt8(dimensions.count)]
        result.reserveCapacity(4 + 4 * dimensions.count + bytes.count)
        for size in dimensions {
            let value = UInt32(truncatingIfNeeded: size)
            result += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                       UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        return result + bytes
    }
}
