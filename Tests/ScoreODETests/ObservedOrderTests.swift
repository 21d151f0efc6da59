import CheckCore
import CheckKit
import Foundation
import Testing

@Suite("Observed order rows")
struct ObservedOrderTests {
    @Test("Errors C·K⁻² give order 2 exactly; one row per consecutive pair, only the last judged")
    func secondOrder() throws {
        let counts = [8, 16, 32, 64]
        let errors = counts.map { 3 / pow(Double($0), 2) }
        #expect(abs(ObservedOrder.between(errors: (errors[0], errors[1]), steps: (8, 16)) - 2) < 1e-12)
        let rows = try ObservedOrder.rows("heun, ", counts: counts, errors: errors, order: 2)
        #expect(rows.count == 3 && rows.allSatisfy(\.pass))
        #expect(rows.map(\.quantity) == ["heun, observed order K=8→16", "heun, observed order K=16→32", "heun, observed order K=32→64"])
        #expect(rows.last?.tolerance == "within 0.1 of 2" && rows.first?.tolerance == "reported")
        // The same errors claimed first order: the last pair fails (a solver of the wrong order is caught).
        let wrong = try ObservedOrder.rows(counts: counts, errors: errors, order: 1, unit: "T")
        #expect(wrong.count == 3 && wrong.last?.pass == false && wrong.dropLast().allSatisfy(\.pass))
        #expect(wrong.last?.quantity == "observed order T=32→64")
    }

    @Test("Fewer than two counts, or errors not one per count, is a CheckFailure")
    func badInput() {
        #expect(throws: CheckFailure.self) { try ObservedOrder.rows(counts: [8], errors: [1], order: 1) }
        #expect(throws: CheckFailure.self) { try ObservedOrder.rows(counts: [8, 16], errors: [1], order: 1) }
    }
}
