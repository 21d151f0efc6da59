/// One line of `lessons doctor`: an item the project depends on, its verdict, and what was
/// found — or, when something is wrong, what is wrong and exactly what to install or do.
struct DoctorCheck: Encodable, Sendable, Equatable {
    /// OK: works. WARN: works, but worth a look (exit status stays 0). FAIL: broken (exit status 1).
    enum Status: String, Encodable, Sendable {
        case ok = "OK", warn = "WARN", fail = "FAIL"
    }

    /// What is checked, e.g. "gsl", "gnuplot", "weights unet".
    let item: String
    let status: Status
    /// The version or figure found when OK; the problem and its remedy otherwise.
    let detail: String

    static func ok(_ item: String, _ detail: String) -> DoctorCheck { DoctorCheck(item: item, status: .ok, detail: detail) }
    static func warn(_ item: String, _ detail: String) -> DoctorCheck { DoctorCheck(item: item, status: .warn, detail: detail) }
    static func fail(_ item: String, _ detail: String) -> DoctorCheck { DoctorCheck(item: item, status: .fail, detail: detail) }
}
