/// Everything that can be wrong with the bytes of an IDX file (see `IDXFile` for the format).
///
/// `source` is the file's path, or the label the caller gave to bytes held in memory.
/// Every `description` starts with the source, says what was wrong and what the format expects.
public enum IDXError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than the header needs: `needed` is 4 before the dimension count is
    /// known, then 4 + 4 × (dimension count).
    case truncatedHeader(source: String, byteCount: Int, needed: Int)
    /// The first two bytes are not zero.
    case wrongMagic(source: String, first: UInt8, second: UInt8)
    /// A type byte other than 0x08 (unsigned byte), the only element type supported.
    case unsupportedType(source: String, typeCode: UInt8)
    /// A dimension count of zero or above `IDXFile.maximumDimensionCount`.
    case invalidDimensionCount(source: String, count: Int)
    /// The product of the sizes does not fit in a signed 64-bit integer.
    case sizeOverflow(source: String, dimensions: [Int])
    /// Fewer data bytes than the product of the sizes.
    case dataTooShort(source: String, dimensions: [Int], expected: Int, found: Int)
    /// More data bytes than the product of the sizes.
    case dataTooLong(source: String, dimensions: [Int], expected: Int, found: Int)
    /// Dimensions and data given in code that do not describe an IDX file (encoding).
    case invalidContents(source: String, reason: String)

    static let format = "an IDX file is two zero bytes, a type byte (0x08 for unsigned bytes), a dimension count byte, "
        + "one big-endian 32-bit size per dimension, then the product of the sizes in data bytes"

    /// The element types the IDX format defines, by type byte, for the error message.
    static func typeName(_ code: UInt8) -> String {
        switch code {
        case 0x08: return "unsigned byte"
        case 0x09: return "signed byte"
        case 0x0B: return "16-bit integer"
        case 0x0C: return "32-bit integer"
        case 0x0D: return "32-bit float"
        case 0x0E: return "64-bit float"
        default: return "not a type the IDX format defines"
        }
    }

    static func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }

    public var description: String {
        switch self {
        case let .truncatedHeader(source, count, needed):
            return "\(source): the file is \(count) byte\(count == 1 ? "" : "s") long, shorter than its \(needed)-byte header "
                + "(is it truncated?); \(Self.format)"
        case let .wrongMagic(source, first, second):
            return "\(source): the file starts with bytes \(Self.hex(first)) \(Self.hex(second)), not the two zero bytes of the IDX "
                + "magic number; is it an IDX file? (\(Self.format))"
        case let .unsupportedType(source, code):
            return "\(source): the type byte is \(Self.hex(code)) (\(Self.typeName(code))); only 0x08 (unsigned byte), the type of "
                + "the MNIST and Fashion-MNIST files, is supported"
        case let .invalidDimensionCount(source, count):
            return "\(source): the header declares \(count) dimensions; 1 to \(IDXFile.maximumDimensionCount) are accepted "
                + "(labels have 1, images 3)"
        case let .sizeOverflow(source, dimensions):
            return "\(source): the sizes \(dimensions) multiply to more elements than 64 bits can count; the header is corrupt"
        case let .dataTooShort(source, dimensions, expected, found):
            return "\(source): the sizes \(dimensions) need \(expected) data bytes, but only \(found) follow the header "
                + "(is the file truncated?)"
        case let .dataTooLong(source, dimensions, expected, found):
            return "\(source): the sizes \(dimensions) need \(expected) data bytes, but \(found) follow the header; "
                + "the \(found &- expected) extra bytes belong to no element, and the data must match the sizes exactly"
        case let .invalidContents(source, reason):
            return "\(source): \(reason); \(Self.format)"
        }
    }
}
