import Foundation
import Gaussian

/// A mutation of the Gaussian KL (used by `gaussian.kl` and `elbo.bound`): the ½ of the
/// quadratic term forgotten.
public func klMissingHalf(_ p: Gaussian, _ q: Gaussian) -> Double {
    let d = p.mean - q.mean
    let quadratic = (p.variance + d * d) / q.variance
    return 0.5 * Foundation.log(q.variance / p.variance) + quadratic - 0.5
}
