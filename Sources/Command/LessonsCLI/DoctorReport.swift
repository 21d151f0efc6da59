import Foundation

/// Every line of `lessons doctor`, in order, with the tally that decides the exit status.
struct DoctorReport: Encodable, Sendable {
    let items: [DoctorCheck]
    /// The FAIL lines (exit status 1 when above 0).
    let failed: Int
    /// The WARN lines.
    let warnings: Int

    init(_ items: [DoctorCheck]) {
        self.items = items
        failed = items.filter { $0.status == .fail }.count
        warnings = items.filter { $0.status == .warn }.count
    }

    /// Runs every probe against this machine, cheapest first; the sgemm measurement runs alone.
    static func thisMachine() -> DoctorReport {
        DoctorReport(
            [DoctorVersions.swift(), DoctorVersions.gsl(), DoctorBLAS.binding(),
             DoctorBLAS.throughput(gflops: DoctorBLAS.measureGFLOPS()), DoctorGnuplot.check(), DoctorFashionMNIST.check()]
                + DoctorWeights.checks())
    }

    /// The human table: item, status, detail, one line each, then a closing tally; the status
    /// is coloured (green OK, yellow WARN, red FAIL) only when `color`.
    func table(color: Bool) -> String {
        let width = items.map(\.item.count).max() ?? 0
        var out = ""
        for check in items {
            let status = check.status.rawValue
            out += check.item.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + Self.paint(status, check.status, color: color)
                + String(repeating: " ", count: 6 - status.count) + check.detail + "\n"
        }
        if failed == 0 && warnings == 0 {
            out += "all \(items.count) items OK\n"
        } else {
            out += "\(failed) failed, \(warnings) warning\(warnings == 1 ? "" : "s") of \(items.count) items\n"
        }
        return out
    }

    static func paint(_ text: String, _ status: DoctorCheck.Status, color: Bool) -> String {
        guard color else { return text }
        let code = switch status {
        case .ok: "32"
        case .warn: "33"
        case .fail: "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
