/// Doubles in increasing order, by a least-significant-digit radix sort of their bit patterns.
///
/// Why not `sorted()`: the Kolmogorov–Smirnov rows and the sliced Wasserstein distance sort
/// 10⁴–10⁶ samples per row, and the standard library's comparison merge sort was a third of
/// the Gaussian lesson's time; six counting passes over 11-bit digits need no comparisons
/// (docs/performance.md has the figures).
///
/// The order: the map k(x) = bits(x) with the sign bit set for x ≥ +0, and every bit flipped
/// for negative x, is increasing in x, so sorting the keys sorts the numbers. It is total:
/// −0 comes before +0 (which `<` calls equal), and NaNs go to the ends (a NaN with the sign
/// bit first, one without last). For numbers without NaN the result equals `sorted()`'s up to
/// the order of −0 and +0 among themselves.
public enum AscendingSort {
    /// Below this many values the comparison sort is faster than six counting passes.
    static let radixThreshold = 512
    static let digitBits = 11
    static let buckets = 1 << digitBits
    static let passes = (64 + digitBits - 1) / digitBits

    /// The values in increasing order.
    public static func sorted(_ values: [Double]) -> [Double] {
        var copy = values
        sort(&copy)
        return copy
    }

    /// Puts the values in increasing order, in place.
    public static func sort(_ values: inout [Double]) {
        let n = values.count
        guard n >= radixThreshold else {
            values.sort { key($0) < key($1) }
            return
        }
        var keys = values.map(key)
        var spare = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: passes * buckets)
        keys.withUnsafeMutableBufferPointer { keysBuffer in
            spare.withUnsafeMutableBufferPointer { spareBuffer in
                counts.withUnsafeMutableBufferPointer { counts in
                    // Every pass's histogram in one read of the keys.
                    for k in keysBuffer {
                        for pass in 0..<passes {
                            counts[pass * buckets + Int(truncatingIfNeeded: (k >> UInt64(pass * digitBits)) & UInt64(buckets - 1))] += 1
                        }
                    }
                    var source = keysBuffer, target = spareBuffer
                    for pass in 0..<passes {
                        let base = pass * buckets
                        let shift = UInt64(pass * digitBits)
                        // A digit all keys share leaves the order as it is.
                        if counts[base + Int(truncatingIfNeeded: (source[0] >> shift) & UInt64(buckets - 1))] == n { continue }
                        var offset = 0
                        for bucket in 0..<buckets {
                            let count = counts[base + bucket]
                            counts[base + bucket] = offset
                            offset += count
                        }
                        for k in source {
                            let bucket = base + Int(truncatingIfNeeded: (k >> shift) & UInt64(buckets - 1))
                            target[counts[bucket]] = k
                            counts[bucket] += 1
                        }
                        swap(&source, &target)
                    }
                    // `source` holds the last pass's output: the keys in order.
                    values.withUnsafeMutableBufferPointer { out in
                        for i in 0..<n { out[i] = value(source[i]) }
                    }
                }
            }
        }
    }

    /// The order-preserving key of x (see the type's comment).
    @inline(__always)
    static func key(_ x: Double) -> UInt64 {
        let bits = x.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    /// The inverse of `key`.
    @inline(__always)
    static func value(_ key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }
}
