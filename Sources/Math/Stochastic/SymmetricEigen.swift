import CGSL

/// The eigen-decomposition A = V·diag(λ)·Vᵀ of a real symmetric n×n matrix (GSL's
/// `gsl_eigen_symmv`, Householder tridiagonalization + implicit QL): eigenvalues λ and
/// orthonormal eigenvectors, the columns of V (row-major, V[i·n + k] is component i of
/// vector k).
public struct SymmetricEigen: Sendable {
    public let values: [Double]
    public let vectors: [Double]
    public let size: Int

    /// `matrix` row-major n×n; only its lower triangle is read (it is taken as symmetric).
    public init(_ matrix: [Double], size n: Int) {
        precondition(n > 0 && matrix.count == n * n, "SymmetricEigen needs an n×n matrix; got \(matrix.count) numbers for n = \(n)")
        let a = gsl_matrix_alloc(n, n)!, v = gsl_matrix_alloc(n, n)!
        let lambda = gsl_vector_alloc(n)!, workspace = gsl_eigen_symmv_alloc(n)!
        defer {
            gsl_matrix_free(a); gsl_matrix_free(v); gsl_vector_free(lambda); gsl_eigen_symmv_free(workspace)
        }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(a, i, j, matrix[i * n + j]) } }
        gsl_eigen_symmv(a, lambda, v, workspace)
        values = (0..<n).map { gsl_vector_get(lambda, $0) }
        var vectors = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n { vectors[i * n + k] = gsl_matrix_get(v, i, k) } }
        self.vectors = vectors
        size = n
    }

    /// V·diag(f(λ))·Vᵀ: a function of the matrix (f = √ gives its square root when A is
    /// positive semi-definite).
    public func map(_ f: (Double) -> Double) -> [Double] {
        let n = size, g = values.map(f)
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n { sum += vectors[i * n + k] * g[k] * vectors[j * n + k] }
                result[i * n + j] = sum
            }
        }
        return result
    }
}
