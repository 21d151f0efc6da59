import Testing
import Stochastic

@Suite("AscendingSort: a radix sort of doubles")
struct AscendingSortTests {
    /// Sizes on both sides of the switch to counting passes, and a check's 10⁵.
    @Test("equals the comparison sort on normal, uniform and wide-ranged draws", arguments: [0, 1, 2, 511, 512, 513, 4_096, 100_000])
    func matchesSorted(count: Int) {
        var stream = RandomStream(seed: 11, stream: UInt64(count))
        let normal = stream.normals(count)
        let uniform = (0..<count).map { _ in stream.uniform() }
        let wide = (0..<count).map { _ in (stream.uniform() - 0.5) * Double(sign: .plus, exponent: stream.index(below: 2_000) - 1_000, significand: 1) }
        for values in [normal, uniform, wide] {
            #expect(values.count == count)
            #expect(AscendingSort.sorted(values) == values.sorted())
        }
    }

    @Test("ties, shared digits and one repeated value keep every element")
    func ties() {
        var stream = RandomStream(seed: 12)
        let small = (0..<5_000).map { _ in Double(stream.index(below: 7)) - 3 }  // few distinct values
        #expect(AscendingSort.sorted(small) == small.sorted())
        let same = [Double](repeating: -2.5, count: 1_000)  // every digit shared: no pass moves anything
        #expect(AscendingSort.sorted(same) == same)
        let integers = (0..<2_000).reversed().map(Double.init)  // only the high digits differ
        #expect(AscendingSort.sorted(integers) == integers.sorted())
    }

    @Test("the extremes: infinities, subnormals, −0 before +0, NaNs at the ends", arguments: [1, 200])
    func extremes(repeats: Int) {
        let specials: [Double] = [3, -0.0, 0.0, -.infinity, .infinity, -1e-300, 1e-300, .leastNonzeroMagnitude,
                                  -.leastNonzeroMagnitude, -.greatestFiniteMagnitude, .greatestFiniteMagnitude, -1, 1]
        let values = Array([[Double]](repeating: specials, count: repeats).joined())  // 13 or 2,600: both paths
        let result = AscendingSort.sorted(values)
        #expect(result.count == values.count)
        #expect(zip(result, result.dropFirst()).allSatisfy { $0 <= $1 })
        let zeros = result.filter { $0 == 0 }
        #expect(zeros.count == 2 * repeats && zeros.prefix(repeats).allSatisfy { $0.sign == .minus }
                && zeros.suffix(repeats).allSatisfy { $0.sign == .plus })
        let withNaN = AscendingSort.sorted([2, .nan, -1, -Double.nan])
        #expect(withNaN[0].isNaN && withNaN[1] == -1 && withNaN[2] == 2 && withNaN[3].isNaN)
    }

    @Test("in place: the same order as the copy")
    func inPlace() {
        var stream = RandomStream(seed: 13)
        var values = stream.normals(3_000)
        let expected = values.sorted()
        AscendingSort.sort(&values)
        #expect(values == expected)
    }
}

