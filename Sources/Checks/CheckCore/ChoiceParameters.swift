/// Choice parameters typed by an enumeration: the spec lists its cases' raw values, the
/// check reads the case back, so a choice key means one thing and a misspelt case cannot
/// fall through to a default.
extension ParameterKind {
    /// A choice among the raw values of `E`'s cases, in their order.
    public static func choice<E: CaseIterable & RawRepresentable>(of _: E.Type) -> ParameterKind where E.RawValue == String {
        .choice(E.allCases.map(\.rawValue))
    }
}

extension CheckParameters {
    /// The value of the choice parameter `name` as a case of `E`. Validation accepts only
    /// the spec's names, so a throw means the spec lists a name `E` does not have.
    public func choice<E: RawRepresentable>(_ name: String, as _: E.Type = E.self) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: text(name)) else {
            throw CheckFailure("parameter \(name) is '\(text(name))', which is not a case of \(E.self)")
        }
        return value
    }
}
