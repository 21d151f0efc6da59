import Gaussian
import Neural
import Sampling

/// The evaluation protocol of the latent model (`lessons eval latent`): generate `perClass`
/// images of each chosen class with guidance, and measure
/// - the conditional accuracy: the share of generated images the evaluation classifier
///   labels with the class they were asked for;
/// - FID on the classifier's penultimate features: generated images against as many test
///   images of the same classes, with its floor, the same distance between as many training
///   and test images (two real samples: what a perfect model would score at this size);
/// - the classifier's accuracy on the test images and the autoencoder's PSNR on them.
public struct LatentEvaluation: Sendable {
    /// Conditional accuracy of each chosen class, in the order given.
    public let conditionalAccuracy: [Double]
    public let fid: Double
    public let fidFloor: Double
    /// The images on each side of both Fréchet distances.
    public let fidImages: Int
    public let psnr: Double
    public let classifierTestAccuracy: Double
    /// The classifier's accuracy on the test images of each chosen class.
    public let classifierTestAccuracyPerClass: [Double]

    /// True when a side of the Fréchet distances has no more images than the classifier has
    /// features: a Gaussian fitted to n points in d dimensions has a covariance of rank at most
    /// n − 1, singular for n ≤ d, and both distances are then dominated by their small-sample
    /// bias: FID and its floor compare with each other, not with FIDs of more images.
    public static func isSmallSample(fidImages: Int) -> Bool { fidImages <= Classifier.features }

    /// The mean conditional accuracy over the chosen classes.
    public var meanConditionalAccuracy: Double { conditionalAccuracy.reduce(0, +) / Double(max(conditionalAccuracy.count, 1)) }

    /// The FID needs, for `classes` × `perClass` generated images, as many test images of
    /// those classes; `test` may hold fewer (a subset of the test split), which is an error.
    public struct TooFewTestImages: Error, CustomStringConvertible {
        public let needed: Int, available: Int
        public var description: String {
            "the FID compares \(needed) generated images with as many test images of the same classes, and the test images used hold only \(available)"
        }
    }

    public init(
        pipeline: LatentPipeline, classifier: Classifier, test: FashionMNIST, train: FashionMNIST, classes: [Int], perClass: Int,
        guidance: Double, sampler: SamplerKind, seed: UInt64, progress: ((Int, Int) -> Void)? = nil
    ) throws {
        let labels = classes.flatMap { Array(repeating: $0, count: perClass) }
        let count = labels.count, d = Classifier.features
        let testRows = test.indices(ofClasses: Set(classes), limit: count)
        guard testRows.count == count else { throw TooFewTestImages(needed: count, available: testRows.count) }

        let testScores = ClassifierScores(classifier: classifier, images: test.images)
        let testAccuracy = testScores.accuracy(labels: test.labels)
        psnr = ReconstructionQuality.psnr(pipeline.autoencoder, data: test).psnr
        classifierTestAccuracy = testAccuracy.overall
        classifierTestAccuracyPerClass = classes.map { testAccuracy.perClass[$0] ?? 0 }

        let images = try pipeline.generate(prompts: labels.map(Prompt.forClass), guidance: guidance, sampler: sampler, seed: seed, progress: progress)
        let generated = ClassifierScores(classifier: classifier, images: images)
        let conditional = generated.accuracy(labels: labels).perClass
        conditionalAccuracy = classes.map { conditional[$0] ?? 0 }

        let testFeatures = testRows.flatMap { testScores.features[$0 * d..<($0 + 1) * d] }
        let trainRows = train.indices(ofClasses: Set(classes), limit: count)
        let trainImages = Tensor(zeros: [trainRows.count, 1, FashionMNIST.side, FashionMNIST.side])
        train.batch(indices: trainRows, into: trainImages)
        let trainFeatures = ClassifierScores(classifier: classifier, images: trainImages).features
        func frechet(_ a: [Double], _ b: [Double]) -> Double {
            let x = FrechetDistance.moments(a, dimensions: d), y = FrechetDistance.moments(b, dimensions: d)
            return FrechetDistance.squared(mean1: x.mean, covariance1: x.covariance, mean2: y.mean, covariance2: y.covariance)
        }
        fid = frechet(generated.features, testFeatures)
        fidFloor = frechet(trainFeatures, testFeatures)
        fidImages = count
    }
}
