import CheckCore
import Foundation
import Notebook

/// The machine form of executed lessons: one JSON object per lesson.
public enum JSONRenderer {
    /// Sorted keys, pretty-printed; non-finite numbers as the strings "Infinity",
    /// "-Infinity" and "NaN" (JSON has no such numbers).
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
