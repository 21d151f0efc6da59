import Stochastic

extension SlicedWasserstein {
    /// One reference point set with its projections on fixed directions already sorted, so
    /// that many candidate sets can be compared with it: each comparison then sorts only the
    /// candidate's projections. `distance(to:)` is the same arithmetic as
    /// `SlicedWasserstein.distance(_:_:directions:)`, in the same order, so it gives the
    /// same bits.
    public struct Reference: Sendable {
        public let directions: [Point2]
        public let count: Int
        /// The sorted projections of the reference, direction after direction.
        private let sorted: [[Double]]

        public init(_ points: [Point2], directions: [Point2]) throws {
            try requireSizes(points, points, minimum: 1, equal: true, "the sliced Wasserstein distance")
            guard !directions.isEmpty else { throw ToyDataError("the sliced Wasserstein distance needs at least one direction") }
            let columns = PointColumns(points)
            var projection = [Double](repeating: 0, count: points.count)
            sorted = directions.map { u in
                SlicedWasserstein.project(columns, on: u, into: &projection)
                return projection.sorted()
            }
            self.directions = directions
            count = points.count
        }

        /// The reference on `projections` random directions from stream 0 of `seed`, as
        /// `SlicedWasserstein.distance(_:_:projections:seed:)` draws them.
        public init(_ points: [Point2], projections: Int = SlicedWasserstein.defaultProjections, seed: UInt64 = 0) throws {
            guard projections >= 1 else { throw ToyDataError("the sliced Wasserstein distance needs at least one direction (got \(projections))") }
            var stream = RandomStream(seed: seed)
            try self.init(points, directions: SlicedWasserstein.directions(projections, stream: &stream))
        }

        /// SW₂(points, reference).
        public func distance(to points: [Point2]) throws -> Double {
            guard points.count == count else {
                throw ToyDataError("the sliced Wasserstein distance needs sets of equal size (got \(points.count) and \(count))")
            }
            let columns = PointColumns(points)
            var projection = [Double](repeating: 0, count: count)
            var total = 0.0
            for (u, reference) in zip(directions, sorted) {
                SlicedWasserstein.project(columns, on: u, into: &projection)
                projection.sort()
                total += SlicedWasserstein.meanSquaredDifference(projection, reference)
            }
            return (total / Double(directions.count)).squareRoot()
        }
    }
}
