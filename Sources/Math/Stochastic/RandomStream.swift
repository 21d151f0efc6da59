/// A seeded, reproducible stream of random bits: xoshiro256++ (Blackman & Vigna 2019).
///
/// Why this generator: it passes BigCrush and PractRand, makes a 64-bit word in about a
/// nanosecond (no table, no division), and its 256-bit state makes overlap between
/// streams seeded apart astronomically unlikely. GSL's mt19937 is slower and reached
/// through a function pointer per draw, which caps a ziggurat on top of it well below
/// numpy's rate (see `lessons bench normal`).
///
/// Streams: `RandomStream(seed: s, stream: k)` fills the state with SplitMix64 started
/// from a mix of `s` and `k`, so every (seed, stream) pair is an independent,
/// reproducible sequence: the same pair always gives the same numbers, and every
/// Monte-Carlo check or parallel test takes its own `stream`.
///
/// `RandomStream(seed:stream:generator:)` with `.mt19937` or `.ranlxd2` draws every number
/// from GSL's generator instead (`RandomGenerator`): the checks' second source of randomness.
public struct RandomStream: Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64
    /// Set when a GSL generator supplies the draws (xoshiro's words are then unused).
    @usableFromInline var gsl: GSLState?
    /// The ziggurat's layers, looked up once per stream: `normal()` is inlined into loops
    /// over 10⁵–10⁶ draws, where reading the lazily built shared table on every draw (its
    /// once-guard and reference count) cost about a tenth of a check's time.
    @usableFromInline let layers = ZigguratLayers(ZigguratTable.shared)

    /// The stream of `generator` for the (seed, stream) pair.
    public init(seed: UInt64, stream: UInt64 = 0, generator: RandomGenerator) {
        self.init(seed: seed, stream: stream)
        if generator != .xoshiro { gsl = GSLState(kind: generator, seed: seed, stream: stream) }
    }

    /// Which generator supplies the draws.
    public var generator: RandomGenerator {
        gsl?.kind ?? .xoshiro
    }

    /// The GSL state, cloned first if another copy of this stream shares it.
    @usableFromInline
    mutating func ownedGSL() -> GSLState {
        if !isKnownUniquelyReferenced(&gsl!) { gsl = GSLState(cloning: gsl!) }
        return gsl!
    }

    // The GSL draws, out of line so that xoshiro's inlined paths stay small.
    @usableFromInline @inline(never)
    mutating func gslNext() -> UInt64 { ownedGSL().next() }

    @usableFromInline @inline(never)
    mutating func gslUniform(positive: Bool) -> Double {
        positive ? ownedGSL().uniformPositive() : ownedGSL().uniform()
    }

    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x6A09_E667_F3BC_C908)
        // Discard one output so that (seed, stream) pairs differing in one bit diverge at once.
        _ = mixer.next()
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is the one fixed point
    }

    /// The 256-bit xoshiro state as four words, for checkpoints: a stream rebuilt from it
    /// with `init(state:)` continues the same sequence (a resumed training draws exactly what
    /// the uninterrupted one would have). Training always draws from xoshiro.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A stream continuing from a saved `state`. Nil unless there are four words, not all zero.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    /// An integer uniform on 0..<n (n ≥ 1), by the high word of a 64×64-bit product
    /// (Lemire's method without the rejection step: the bias is below n/2⁶⁴).
    @inlinable @inline(__always)
    public mutating func index(below n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// The next 64 uniformly distributed bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        if _slowPath(gsl != nil) { return gslNext() }
        return nextXoshiro()
    }

    /// xoshiro256++'s next word, for loops that have already ruled out a GSL generator.
    @inlinable @inline(__always)
    mutating func nextXoshiro() -> UInt64 {
        let result = ((s0 &+ s3) << 23 | (s0 &+ s3) >> 41) &+ s0
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// U[0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        if _slowPath(gsl != nil) { return gslUniform(positive: false) }
        return Double(next() >> 11) * 0x1p-53
    }

    /// U(0, 1]: safe to take the logarithm of.
    @inlinable @inline(__always)
    public mutating func uniformPositive() -> Double {
        if _slowPath(gsl != nil) { return gslUniform(positive: true) }
        return Double((next() >> 11) + 1) * 0x1p-53
    }

    /// U(a, b).
    @inlinable
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): used only to expand a seed into a state.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
