import CGSL

/// GSL's Mersenne Twister (mt19937) with GSL's ziggurat normal sampler
/// (`gsl_ran_gaussian_ziggurat`): kept as the reference point of `lessons bench normal`.
public final class GSLGenerator {
    private let rng: UnsafeMutablePointer<gsl_rng>

    public init(seed: UInt) throws {
        _ = GSL.ready
        guard let rng = gsl_rng_alloc(cgsl_rng_mt19937()) else {
            throw GSLError(status: GSL_ENOMEM, context: "gsl_rng_alloc(mt19937)")
        }
        gsl_rng_set(rng, seed)
        self.rng = rng
    }

    deinit { gsl_rng_free(rng) }

    /// One N(0, 1) draw.
    public func normal() -> Double { gsl_ran_gaussian_ziggurat(rng, 1.0) }

    /// Fills `buffer` with N(0, 1) draws.
    public func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for i in buffer.indices { buffer[i] = gsl_ran_gaussian_ziggurat(rng, 1.0) }
    }
}
