import Stochastic

/// Label-preserving changes of a training image, drawn afresh for every image of every batch:
/// a mirror image (left ↔ right) with probability ½, then a shift by (dx, dy) pixels, each
/// uniform on −maxShift…maxShift, the vacated border filled with −1 (black, the value of the
/// 32×32 padding). With the image I (rows r, columns c) and the mirrored column
/// c′ = flip ? side − 1 − c : c, the result is J(r, c) = I(r − dy, (c − dx)′) where that pixel
/// exists, else −1. Every draw comes from the training stream, so a resumed run repeats them.
public struct ImageAugmentation: Sendable, Equatable {
    public var flip: Bool
    public var maxShift: Int

    public init(flip: Bool, maxShift: Int) {
        self.flip = flip
        self.maxShift = maxShift
    }

    /// The classifier's `--augment`: mirror images and shifts of up to 2 pixels, the width of
    /// the padding around the 28×28 pictures, so a shift rarely cuts the garment.
    public static let standard = ImageAugmentation(flip: true, maxShift: 2)

    /// How checkpoints name it ("flip,shift2").
    public var name: String { (flip ? "flip," : "") + "shift\(maxShift)" }

    public init?(name: String) {
        let flip = name.hasPrefix("flip,")
        let rest = flip ? name.dropFirst(5) : Substring(name)
        guard rest.hasPrefix("shift"), let shift = Int(rest.dropFirst(5)), (0...8).contains(shift) else { return nil }
        self.init(flip: flip, maxShift: shift)
    }

    /// Draws the flip and the shift and applies them to the square image at `image`
    /// (`side`² numbers, row-major), in place; `scratch` holds `side`² numbers.
    public func apply(to image: UnsafeMutablePointer<Float>, side: Int, scratch: UnsafeMutablePointer<Float>, stream: inout RandomStream) {
        let mirrored = flip && stream.uniform() < 0.5
        let dx = stream.index(below: 2 * maxShift + 1) - maxShift
        let dy = stream.index(below: 2 * maxShift + 1) - maxShift
        apply(to: image, side: side, scratch: scratch, mirrored: mirrored, dx: dx, dy: dy)
    }

    /// J(r, c) = I(r − dy, (c − dx)′) for a given draw (see the type's description).
    func apply(to image: UnsafeMutablePointer<Float>, side: Int, scratch: UnsafeMutablePointer<Float>, mirrored: Bool, dx: Int, dy: Int) {
        scratch.update(from: image, count: side * side)
        for r in 0..<side {
            let sourceRow = r - dy
            for c in 0..<side {
                let shifted = c - dx
                let column = mirrored ? side - 1 - shifted : shifted
                let inside = (0..<side).contains(sourceRow) && (0..<side).contains(shifted)
                image[r * side + c] = inside ? scratch[sourceRow * side + column] : -1
            }
        }
    }
}
