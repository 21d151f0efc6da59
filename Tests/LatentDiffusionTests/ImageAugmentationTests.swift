import Stochastic
import Testing
@testable import LatentDiffusion

/// The classifier's augmentation J(r, c) = I(r − dy, (c − dx)′), −1 outside, with c′ the
/// mirrored column: exact images for given draws, and the draws' frequencies.
@Suite struct ImageAugmentationTests {
    /// I(r, c) = 4r + c on a 4×4 image.
    static let ramp: [Float] = (0..<16).map(Float.init)

    static func applied(mirrored: Bool, dx: Int, dy: Int) -> [Float] {
        var image = ramp, scratch = [Float](repeating: 0, count: 16)
        image.withUnsafeMutableBufferPointer { pixels in
            scratch.withUnsafeMutableBufferPointer { ImageAugmentation.standard.apply(to: pixels.baseAddress!, side: 4, scratch: $0.baseAddress!, mirrored: mirrored, dx: dx, dy: dy) }
        }
        return image
    }

    @Test func shiftMovesRightAndDownFillingBlack() {
        // dx = 1, dy = 0: J(r, c) = I(r, c − 1); column 0 is new.
        #expect(Self.applied(mirrored: false, dx: 1, dy: 0) == [-1, 0, 1, 2, -1, 4, 5, 6, -1, 8, 9, 10, -1, 12, 13, 14])
        // dx = 0, dy = 2: J(r, c) = I(r − 2, c); rows 0 and 1 are new.
        #expect(Self.applied(mirrored: false, dx: 0, dy: 2) == [-1, -1, -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7])
        #expect(Self.applied(mirrored: false, dx: 0, dy: 0) == Self.ramp)
    }

    @Test func mirrorThenShift() {
        // Mirrored only: J(r, c) = I(r, 3 − c).
        #expect(Self.applied(mirrored: true, dx: 0, dy: 0) == [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12])
        // dx = −1, dy = −1: J(r, c) = I(r + 1, 3 − (c + 1)); the last row and column are new.
        #expect(Self.applied(mirrored: true, dx: -1, dy: -1) == [6, 5, 4, -1, 10, 9, 8, -1, 14, 13, 12, -1, -1, -1, -1, -1])
    }

    @Test func names() {
        #expect(ImageAugmentation.standard.name == "flip,shift2")
        #expect(ImageAugmentation(name: "flip,shift2") == .standard)
        #expect(ImageAugmentation(name: "shift1") == ImageAugmentation(flip: false, maxShift: 1))
        for bad in ["flip", "flip,", "shift", "shift9", "shift-1", "mirror,shift2", "none"] { #expect(ImageAugmentation(name: bad) == nil, "\(bad)") }
    }

    /// A marker pixel at I(16, 10) of a 32×32 image lands at J(16 + dy, 10 + dx), or at
    /// J(16 + dy, 21 + dx) when mirrored, which identifies each draw. Over n = 20,000 draws the
    /// mirror's share should be ½ and each shift's 1/5: each share's z = (p̂ − p)/√(p(1 − p)/n).
    @Test func drawsAreUniform() throws {
        let n = 20_000, side = 32
        var stream = RandomStream(seed: 7, stream: 1)
        var image = [Float](repeating: -1, count: side * side), scratch = image
        var mirrored = 0, dxCounts = [Int](repeating: 0, count: 5), dyCounts = dxCounts
        for _ in 0..<n {
            for k in image.indices { image[k] = -1 }
            image[16 * side + 10] = 1
            image.withUnsafeMutableBufferPointer { pixels in
                scratch.withUnsafeMutableBufferPointer { ImageAugmentation.standard.apply(to: pixels.baseAddress!, side: side, scratch: $0.baseAddress!, stream: &stream) }
            }
            let position = try #require(image.firstIndex(of: 1))
            let (r, c) = (position / side, position % side)
            let isMirrored = c > 16
            mirrored += isMirrored ? 1 : 0
            dyCounts[r - 16 + 2] += 1
            dxCounts[c - (isMirrored ? 21 : 10) + 2] += 1
        }
        func z(_ count: Int, _ p: Double) -> Double { (Double(count) / Double(n) - p) / (p * (1 - p) / Double(n)).squareRoot() }
        #expect(abs(z(mirrored, 0.5)) <= 5, "mirror share \(mirrored) of \(n)")
        for (counts, axis) in [(dxCounts, "dx"), (dyCounts, "dy")] {
            for (offset, count) in counts.enumerated() { #expect(abs(z(count, 0.2)) <= 5, "\(axis) = \(offset - 2): \(count) of \(n), z = \(z(count, 0.2))") }
        }
    }
}
