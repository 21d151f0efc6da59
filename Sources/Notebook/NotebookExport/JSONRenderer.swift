import CheckCore
import Foundation
import Notebook

/// The JSON of every `--json` output and of the JSON exports.
///
/// JSON has no infinities and no NaN. A non-finite number is written as `null` where the number
/// belongs, and the top-level object gains `"nonFinite"`, which maps the path of each such value
/// (e.g. `checks[3].rows[2].z`) to `"+infinity"`, `"-infinity"` or `"nan"`: a reader that
/// expects a number finds none, and one that wants to know why finds the reason. Output with
/// only finite numbers is exactly the encoder's.
public enum JSONRenderer {
    /// Pretty-printed (or one line) with sorted keys.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: marker + "+infinity", negativeInfinity: marker + "-infinity", nan: marker + "nan")
        let data = try encoder.encode(value)
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains(markerInJSON) else { return text }
        var reasons: [String: String] = [:]
        var object = nullingNonFinite(try JSONSerialization.jsonObject(with: data), path: "", reasons: &reasons)
        if var top = object as? [String: Any] {
            top["nonFinite"] = reasons
            object = top
        } else {
            object = ["value": object, "nonFinite": reasons]
        }
        let options: JSONSerialization.WritingOptions = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
    }

    /// A prefix no encoded string of the project starts with (a control character).
    static let marker = "\u{1}nonfinite:"
    static let markerInJSON = "\\u0001nonfinite:"

    /// The value with every marked string replaced by null, its reason recorded by path.
    static func nullingNonFinite(_ value: Any, path: String, reasons: inout [String: String]) -> Any {
        switch value {
        case let text as String where text.hasPrefix(marker):
            reasons[path] = String(text.dropFirst(marker.count))
            return NSNull()
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for (key, inner) in object {
                result[key] = nullingNonFinite(inner, path: path.isEmpty ? key : "\(path).\(key)", reasons: &reasons)
            }
            return result
        case let array as [Any]:
            return array.enumerated().map { nullingNonFinite($1, path: "\(path)[\($0)]", reasons: &reasons) }
        default:
            return value
        }
    }
}
