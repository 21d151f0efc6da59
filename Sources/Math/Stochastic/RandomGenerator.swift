import CGSL

/// The generator a `RandomStream` draws from.
///
/// The project's own xoshiro256++ with its ziggurat is the default (the fastest: see
/// `lessons bench normal`). GSL's Mersenne Twister and RANLUX (luxury level 2, double
/// precision) are the second and third sources: a check whose verdict held only under
/// one generator would be testing the generator, not the formula. Under a GSL generator
/// every draw goes through GSL: `gsl_rng_uniform`/`gsl_rng_uniform_pos` for uniforms,
/// `gsl_ran_gaussian_ziggurat` for N(0, 1), and two 32-bit `gsl_rng_get` words for 64 bits.
public enum RandomGenerator: String, CaseIterable, Sendable, Codable {
    case xoshiro
    case mt19937
    case ranlxd2

    /// What the generator is, in a few words (help text, reports).
    public var summary: String {
        switch self {
        case .xoshiro: return "xoshiro256++ with the project's ziggurat (default)"
        case .mt19937: return "GSL's gsl_rng_mt19937 with gsl_ran_gaussian_ziggurat"
        case .ranlxd2: return "GSL's gsl_rng_ranlxd2 (RANLUX, luxury 2) with gsl_ran_gaussian_ziggurat"
        }
    }
}

/// One GSL generator's state, owned by at most one `RandomStream` at a time: a stream that
/// was copied clones it before its next draw (`gsl_rng_clone`), so copies of a stream
/// continue the same sequence independently, as xoshiro streams do.
@usableFromInline
final class GSLState: @unchecked Sendable {  // mutated only through a uniquely referenced stream
    let rng: UnsafeMutablePointer<gsl_rng>
    let kind: RandomGenerator

    /// A generator of `kind` seeded from the (seed, stream) pair. GSL seeds are one word:
    /// SplitMix64 mixes the pair as for xoshiro and the seed is its low 31 bits plus 1
    /// (ranlxd2 accepts seeds below 2³¹; mt19937 maps 0 to its default seed).
    init(kind: RandomGenerator, seed: UInt64, stream: UInt64) {
        _ = GSL.ready
        let type = kind == .ranlxd2 ? cgsl_rng_ranlxd2() : cgsl_rng_mt19937()
        guard let rng = gsl_rng_alloc(type) else { preconditionFailure("gsl_rng_alloc: out of memory") }
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x6A09_E667_F3BC_C908)
        _ = mixer.next()
        gsl_rng_set(rng, UInt(mixer.next() & 0x7FFF_FFFF) + 1)
        self.rng = rng
        self.kind = kind
    }

    init(cloning other: GSLState) {
        guard let rng = gsl_rng_clone(other.rng) else { preconditionFailure("gsl_rng_clone: out of memory") }
        self.rng = rng
        kind = other.kind
    }

    deinit { gsl_rng_free(rng) }

    /// 64 bits from two 32-bit words (both generators' range is 0…2³² − 1).
    @usableFromInline func next() -> UInt64 {
        UInt64(gsl_rng_get(rng) & 0xFFFF_FFFF) << 32 | UInt64(gsl_rng_get(rng) & 0xFFFF_FFFF)
    }

    @usableFromInline func uniform() -> Double { gsl_rng_uniform(rng) }
    @usableFromInline func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }
    @usableFromInline func normal() -> Double { gsl_ran_gaussian_ziggurat(rng, 1.0) }
}
