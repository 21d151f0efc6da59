import Foundation
import Testing
@testable import Neural

@Suite struct GradientClippingTests {
    /// Two parameters whose gradients (3, 0, 0) and (0, 4) have the global norm 5.
    static func parameters() -> [Parameter] {
        let first = Parameter(name: "a", value: Tensor(zeros: [3])), second = Parameter(name: "b", value: Tensor(zeros: [2]))
        first.gradient[0] = 3
        second.gradient[1] = 4
        return [first, second]
    }

    static func gradients(_ parameters: [Parameter]) -> [Double] { parameters.flatMap { $0.gradient.values.map(Double.init) } }

    /// The largest gap between `after` and min(1, c/‖before‖)·before, the rule's result.
    static func gapFromRule(before: [Double], after: [Double], maxNorm: Double) -> Double {
        let norm = before.map { $0 * $0 }.reduce(0, +).squareRoot()
        let scale = min(1, maxNorm / norm)
        return zip(before, after).map { abs($0 * scale - $1) }.max() ?? 0
    }

    typealias Clip = ([Parameter], Double) -> Void

    /// How far a clipping function lands from the rule, above and below the threshold.
    static func gaps(_ clip: Clip) -> [Double] {
        [1, 2.5, 10].map { maxNorm in
            let parameters = Self.parameters()
            let before = gradients(parameters)
            clip(parameters, maxNorm)
            return gapFromRule(before: before, after: gradients(parameters), maxNorm: maxNorm)
        }
    }

    @Test func clipsToTheGlobalNorm() {
        let parameters = Self.parameters()
        #expect(GradientClipping.globalNorm(parameters) == 5)
        #expect(GradientClipping.clip(parameters, maxNorm: 1) == 5, "returns the norm before clipping")
        #expect(Self.gradients(parameters) == [0.6, 0, 0, 0, 0.8].map { Double(Float($0)) })
        #expect(abs(GradientClipping.globalNorm(parameters) - 1) < 1e-7)
        for gap in Self.gaps({ GradientClipping.clip($0, maxNorm: $1) }) { #expect(gap < 1e-7) }
    }

    /// The SIMD lanes and the scalar tail (1003 = 125·8 + 3 elements, and a parameter of 5)
    /// against a plain Double sum, to 1e-12; dropping either part moves it by far more.
    @Test func normCoversLanesAndTail() {
        let large = Parameter(name: "w", value: Tensor(zeros: [1003])), small = Parameter(name: "b", value: Tensor(zeros: [5]))
        for i in 0..<1003 { large.gradient[i] = Float(sin(Double(i) * 0.7)) }
        for i in 0..<5 { small.gradient[i] = Float(i + 1) }
        let reference = (Self.gradients([large]) + Self.gradients([small])).map { $0 * $0 }.reduce(0, +).squareRoot()
        let norm = GradientClipping.globalNorm([large, small])
        #expect(abs(norm - reference) < 1e-12 * reference, "\(norm) vs \(reference)")
    }

    @Test func leavesSmallGradientsUnchanged() {
        let parameters = Self.parameters()
        GradientClipping.clip(parameters, maxNorm: 5)
        #expect(Self.gradients(parameters) == [3, 0, 0, 0, 4])
    }

    /// Mutations the rule check must reject: clipping each parameter to c on its own
    /// (which turns the direction), and always rescaling to norm c (which lengthens small
    /// gradients).
    @Test func rejectsWrongClipping() {
        let perParameter: Clip = { parameters, maxNorm in
            for parameter in parameters { GradientClipping.clip([parameter], maxNorm: maxNorm) }
        }
        let alwaysRescale: Clip = { parameters, maxNorm in
            let scale = Float(maxNorm / GradientClipping.globalNorm(parameters))
            for parameter in parameters { for i in 0..<parameter.gradient.count { parameter.gradient[i] *= scale } }
        }
        #expect(Self.gaps(perParameter).max()! > 0.1)
        #expect(Self.gaps(alwaysRescale).max()! > 0.1)
    }

    /// A non-finite norm (the loss was NaN or ∞) is reported and nothing is scaled.
    @Test func nonFiniteNormIsReported() {
        let parameters = Self.parameters()
        parameters[1].gradient[0] = .infinity
        #expect(GradientClipping.clip(parameters, maxNorm: 1) == .infinity)
        #expect(parameters[0].gradient[0] == 3)
    }
}
