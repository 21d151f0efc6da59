/// A diffusers model folder that cannot be read: a missing or unreadable file, a config key
/// or value this reader does not build, a tensor that is missing, extra or of the wrong
/// shape. The message names the file and the key or tensor, and says what is supported.
public struct DiffusersModelError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
