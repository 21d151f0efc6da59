import Foundation

/// JSON lets an object repeat a key, and readers then disagree on which value counts (Python's
/// `json` keeps the last, others the first): a trace that says two things at once is refused.
/// This scans a document already known to be valid JSON for the first key an object repeats.
enum DuplicateKeys {
    private struct Frame {
        let isObject: Bool
        let path: String
        var keys: Set<String> = []
        var expectingKey = true
        var key = ""
        var index = 0
    }

    /// The path of the first object that repeats a key, and the key; nil when none does.
    static func first(in data: Data) -> (path: String, key: String)? {
        data.withUnsafeBytes { raw -> (String, String)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var stack: [Frame] = []
            var i = 0
            func childPath() -> String {
                guard let top = stack.last else { return "" }
                if top.isObject { return top.path.isEmpty ? top.key : "\(top.path).\(top.key)" }
                return "\(top.path)[\(top.index)]"
            }
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    stack.append(Frame(isObject: bytes[i] == UInt8(ascii: "{"), path: childPath()))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    stack.removeLast()
                case UInt8(ascii: ","):
                    if stack.last?.isObject == true { stack[stack.count - 1].expectingKey = true } else if !stack.isEmpty { stack[stack.count - 1].index += 1 }
                case UInt8(ascii: "\""):
                    let start = i
                    var escaped = false
                    i += 1
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                        if bytes[i] == UInt8(ascii: "\\") { escaped = true; i += 1 }
                        i += 1
                    }
                    guard let top = stack.last, top.isObject, top.expectingKey else { break }
                    let key = decode(bytes, from: start, to: i, escaped: escaped)
                    if top.keys.contains(key) { return (top.path, key) }
                    stack[stack.count - 1].keys.insert(key)
                    stack[stack.count - 1].key = key
                    stack[stack.count - 1].expectingKey = false
                default:
                    break
                }
                i += 1
            }
            return nil
        }
    }

    /// The string between the quotes at `start` and `end`, its escapes resolved.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, escaped: Bool) -> String {
        let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<end])
        guard escaped else { return String(decoding: body, as: UTF8.self) }
        let quoted = Data(bytes[start...end])
        return (try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed)) as? String ?? String(decoding: body, as: UTF8.self)
    }
}
