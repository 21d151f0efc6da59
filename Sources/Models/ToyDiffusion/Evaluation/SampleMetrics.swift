import Stochastic

/// How the three sample-quality metrics are computed: the number of SW₂ directions, the
/// subsample size of the O(n²) statistics, the MMD bandwidth (nil: median heuristic) and
/// the seed of every random choice.
public struct MetricOptions: Sendable, Equatable {
    public var projections: Int
    public var subsample: Int?
    public var bandwidth: Double?
    public var seed: UInt64

    public init(
        projections: Int = SlicedWasserstein.defaultProjections, subsample: Int? = EnergyDistance.defaultSubsample,
        bandwidth: Double? = nil, seed: UInt64 = 0
    ) {
        self.projections = projections
        self.subsample = subsample
        self.bandwidth = bandwidth
        self.seed = seed
    }
}

/// Three distances between a set of generated points X and a set of data points Y of the
/// same size: sliced Wasserstein-2 (`SlicedWasserstein`), the energy distance
/// (`EnergyDistance`, U-statistic) and MMD² with an RBF kernel (`MaximumMeanDiscrepancy`,
/// unbiased), with the bandwidth h the MMD used.
///
/// None of them is 0 for two finite samples of the same law: SW₂ is positive and the two
/// unbiased statistics scatter around 0. Their values for two independent data samples of
/// the same size, the noise floor (`ToyDataset.noiseFloor`), are the best a model can show.
public struct SampleMetrics: Sendable, Equatable, Codable {
    public let slicedWasserstein: Double
    public let energyDistance: Double
    public let mmdSquared: Double
    public let bandwidth: Double
    public let count: Int

    /// The three metrics between `x` and `y` (sets of equal size). A point that is not
    /// finite (a sampler trajectory that diverged) is an error: every metric would be NaN.
    public init(_ x: [Point2], _ y: [Point2], options: MetricOptions = MetricOptions()) throws {
        for (set, name) in [(x, "first"), (y, "second")] {
            let nonFinite = set.count { !$0.x.isFinite || !$0.y.isFinite }
            guard nonFinite == 0 else {
                throw ToyDataError("\(nonFinite) of the \(set.count) points of the \(name) set are not finite (NaN or ±∞): sample metrics need finite points")
            }
        }
        let h = try options.bandwidth ?? MaximumMeanDiscrepancy.medianHeuristic(x, y, seed: options.seed)
        slicedWasserstein = try SlicedWasserstein.distance(x, y, projections: options.projections, seed: options.seed)
        energyDistance = try EnergyDistance.estimate(x, y, subsample: options.subsample, seed: options.seed)
        mmdSquared = try MaximumMeanDiscrepancy.squared(x, y, bandwidth: h, subsample: options.subsample, seed: options.seed)
        bandwidth = h
        count = x.count
    }
}

extension ToyDataset {
    /// The noise floor: the metrics between two independent samples of `n` points of this
    /// data set (streams 0 and 1 of `seed`). A model whose samples score near these values
    /// cannot be told from the data by the metrics at this sample size.
    public func noiseFloor(samples n: Int, seed: UInt64, options: MetricOptions = MetricOptions()) throws -> SampleMetrics {
        var (first, second) = (RandomStream(seed: seed, stream: 0), RandomStream(seed: seed, stream: 1))
        return try SampleMetrics(sample(n, stream: &first), sample(n, stream: &second), options: options)
    }
}
