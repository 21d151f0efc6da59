import Stochastic

extension SlicedWasserstein {
    /// Reference point sets with their projections on shared directions already sorted, so
    /// that many candidate sets can be compared with them: each comparison sorts the
    /// candidate's projections once per direction, whatever the number of references.
    /// `distance(to:)` against one reference is the same arithmetic as
    /// `SlicedWasserstein.distance(_:_:directions:)`, in the same order, so it gives the
    /// same bits.
    public struct Reference: Sendable {
        public let directions: [Point2]
        public let count: Int
        /// Per reference set, its sorted projections, direction after direction.
        private let sorted: [[[Double]]]

        /// The sets must all have the same size.
        public init(_ samples: [[Point2]], directions: [Point2]) throws {
            guard let first = samples.first else { throw ToyDataError("a sliced Wasserstein reference needs at least one point set") }
            for sample in samples { try requireSizes(first, sample, minimum: 1, equal: true, "the sliced Wasserstein distance") }
            guard !directions.isEmpty else { throw ToyDataError("the sliced Wasserstein distance needs at least one direction") }
            var projection = [Double](repeating: 0, count: first.count)
            sorted = samples.map { sample in
                let columns = PointColumns(sample)
                return directions.map { u in
                    SlicedWasserstein.project(columns, on: u, into: &projection)
                    return projection.sorted()
                }
            }
            self.directions = directions
            count = first.count
        }

        /// One reference set on `projections` random directions from stream 0 of `seed`, as
        /// `SlicedWasserstein.distance(_:_:projections:seed:)` draws them.
        public init(_ points: [Point2], projections: Int = SlicedWasserstein.defaultProjections, seed: UInt64 = 0) throws {
            guard projections >= 1 else { throw ToyDataError("the sliced Wasserstein distance needs at least one direction (got \(projections))") }
            var stream = RandomStream(seed: seed)
            try self.init([points], directions: SlicedWasserstein.directions(projections, stream: &stream))
        }

        /// SW₂(points, reference) for every reference set, in their order.
        public func distances(to points: [Point2]) throws -> [Double] {
            guard points.count == count else {
                throw ToyDataError("the sliced Wasserstein distance needs sets of equal size (got \(points.count) and \(count))")
            }
            let columns = PointColumns(points)
            var projection = [Double](repeating: 0, count: count)
            var totals = [Double](repeating: 0, count: sorted.count)
            for (index, u) in directions.enumerated() {
                SlicedWasserstein.project(columns, on: u, into: &projection)
                projection.sort()
                for set in sorted.indices { totals[set] += SlicedWasserstein.meanSquaredDifference(projection, sorted[set][index]) }
            }
            return totals.map { ($0 / Double(directions.count)).squareRoot() }
        }

        /// SW₂(points, the first reference set).
        public func distance(to points: [Point2]) throws -> Double { try distances(to: points)[0] }
    }
}
