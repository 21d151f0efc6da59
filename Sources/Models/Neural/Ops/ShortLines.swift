/// Copies and sums of short runs of floats (an image line of 4…32 pixels) in SIMD8/SIMD4
/// steps: at such lengths a plain loop runs mostly in its scalar remainder, and memcpy
/// costs more in the call than in the copy.
enum ShortLines {
    /// target[j] = source[j] for j in 0..<count.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            UnsafeMutableRawPointer(target + j).storeBytes(of: UnsafeRawPointer(source + j).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            j += 8
        }
        if j + 4 <= count {
            UnsafeMutableRawPointer(target + j).storeBytes(of: UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            j += 4
        }
        while j < count { target[j] = source[j]; j += 1 }
    }

    /// target[j] += source[j] for j in 0..<count.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            let sum = UnsafeRawPointer(target + j).loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(source + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + j).storeBytes(of: sum, as: SIMD8<Float>.self)
            j += 8
        }
        if j + 4 <= count {
            let sum = UnsafeRawPointer(target + j).loadUnaligned(as: SIMD4<Float>.self) + UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target + j).storeBytes(of: sum, as: SIMD4<Float>.self)
            j += 4
        }
        while j < count { target[j] += source[j]; j += 1 }
    }
}
