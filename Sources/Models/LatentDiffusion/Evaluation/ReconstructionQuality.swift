import Foundation
import Neural

/// The autoencoder's reconstruction error on a data set: x̂ = D(μ(x)) (the posterior mean,
/// no sampling), compared on the 28×28 image in [0, 1]:
/// PSNR = 10·log₁₀(1 / MSE) dB with MSE the mean squared error over all pixels of all images.
public enum ReconstructionQuality {
    /// `latentScale` multiplies μ before decoding (1; other values only in checks that show a wrong scaling is noticed).
    public static func psnr(_ autoencoder: Autoencoder, data: FashionMNIST, latentScale: Float = 1) -> (psnr: Double, meanSquaredError: Double) {
        var squares = 0.0, count = 0
        forEachBatch(count: data.count, input: { range, tape in tape.images(data.images, range) }, compute: { x, tape in
            let mean = autoencoder.encode(x, on: tape).mean
            return autoencoder.decode(latentScale == 1 ? mean : tape.scale(mean, by: latentScale), on: tape)
        }, consume: { start, output in
            let pixels = FashionMNIST.side * FashionMNIST.side
            for row in 0..<output.shape[0] {
                let original = FashionMNIST.crop28(data.images.pointer + (start + row) * pixels)
                let reconstructed = FashionMNIST.crop28(output.pointer + row * pixels)
                for (a, b) in zip(original, reconstructed) { squares += Double(a - b) * Double(a - b) }
                count += original.count
            }
        })
        let mse = squares / Double(max(count, 1))
        return (10 * log10(1 / mse), mse)
    }
}
