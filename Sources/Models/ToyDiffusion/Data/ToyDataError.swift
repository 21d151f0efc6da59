/// Invalid input to the toy-data code (a mixture, point sets of unequal size, a sample
/// count), with what is accepted.
public struct ToyDataError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
