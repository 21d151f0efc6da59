import Foundation
import Neural

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28×28 grey-scale images of clothing in ten
/// classes, 60 000 for training and 10 000 for testing, read from the IDX files that the
/// Debian package `dataset-fashion-mnist` installs.
///
/// The images are stored ready for the models: each is padded with 2 pixels of background
/// on every side to 32×32 (so that three 2× downsamplings divide it evenly) and mapped
/// from bytes 0…255 to [−1, 1] by x = b / 127.5 − 1, so the background (byte 0) is −1 and
/// the padding is −1 too. `images` is one tensor of shape [count, 1, 32, 32] (NCHW).
public struct FashionMNIST: Sendable {
    /// The two splits of the data set.
    public enum Split: String, Sendable, CaseIterable {
        /// 60 000 examples, 6 000 per class.
        case train
        /// 10 000 examples, 1 000 per class.
        case test

        /// The examples in the split.
        public var count: Int { self == .train ? 60_000 : 10_000 }

        /// The prefix of the split's file names: `train` or `t10k`.
        public var filePrefix: String {
            switch self {
            case .train: return "train"
            case .test: return "t10k"
            }
        }
    }

    /// Where `dataset-fashion-mnist` puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The class of each label 0…9.
    public static let classNames = [
        "t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot",
    ]
    /// The side of an image in the files.
    public static let sourceSide = 28
    /// The side of a stored (padded) image.
    public static let side = 32
    /// The background pixels added on each side.
    public static let padding = 2

    /// The split the examples come from.
    public let split: Split
    /// The number of examples.
    public let count: Int
    /// The images, [count, 1, 32, 32], values in [−1, 1] (background −1).
    public let images: Tensor
    /// The class of each image, 0…9 (see `classNames`).
    public let labels: [Int]

    /// Loads the first `limit` examples of `split` (all of them when `limit` is nil or
    /// larger than the split) from `directory`, which holds `<prefix>-images-idx3-ubyte.gz`
    /// and `<prefix>-labels-idx1-ubyte.gz`.
    ///
    /// Both files are read and validated whole, whatever `limit`: the images must be an IDX
    /// array [N, 28, 28] of unsigned bytes, the labels [N] with the same N and every label in
    /// 0…9. A missing file names the Debian package and how to install it.
    public static func load(split: Split, directory: String = defaultDirectory, limit: Int? = nil) throws(FashionMNISTError) -> FashionMNIST {
        if let limit, limit < 0 { throw .invalidLimit(limit) }
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let imagesPath = "\(folder)/\(split.filePrefix)-images-idx3-ubyte.gz"
        let labelsPath = "\(folder)/\(split.filePrefix)-labels-idx1-ubyte.gz"
        let imageFile = try readIDX(imagesPath)
        let labelFile = try readIDX(labelsPath)

        let dimensions = imageFile.dimensions
        guard dimensions.count == 3, dimensions[1] == sourceSide, dimensions[2] == sourceSide else {
            throw .wrongImageDimensions(path: imagesPath, dimensions: dimensions)
        }
        guard labelFile.dimensions.count == 1 else {
            throw .wrongLabelDimensions(path: labelsPath, dimensions: labelFile.dimensions)
        }
        guard dimensions[0] == labelFile.dimensions[0] else {
            throw .countMismatch(imagesPath: imagesPath, imageCount: dimensions[0], labelsPath: labelsPath, labelCount: labelFile.dimensions[0])
        }
        if let index = labelFile.bytes.firstIndex(where: { Int($0) >= classNames.count }) {
            throw .labelOutOfRange(path: labelsPath, index: index, label: Int(labelFile.bytes[index]))
        }

        let count = min(dimensions[0], limit ?? dimensions[0])
        let images = Tensor(zeros: [count, 1, side, side])
        images.fill(-1)
        imageFile.bytes.withUnsafeBufferPointer { source in
            for image in 0..<count {
                let from = image * sourceSide * sourceSide
                let to = images.pointer + image * side * side
                for row in 0..<sourceSide {
                    let sourceRow = from + row * sourceSide
                    let targetRow = to + (row + padding) * side + padding
                    for column in 0..<sourceSide {
                        targetRow[column] = Float(source[sourceRow + column]) / 127.5 - 1
                    }
                }
            }
        }
        return FashionMNIST(split: split, count: count, images: images, labels: labelFile.bytes.prefix(count).map(Int.init))
    }

    /// Reads and decodes one .gz IDX file, mapping a missing file to the install hint.
    private static func readIDX(_ path: String) throws(FashionMNISTError) -> IDXFile {
        let bytes: [UInt8]
        do {
            bytes = try GzipReader.read(path: path)
        } catch .missingFile(let path) {
            throw .missingDataset(path: path)
        } catch {
            throw .unreadable(error)
        }
        do {
            return try IDXFile(decoding: bytes, source: path)
        } catch {
            throw .malformed(error)
        }
    }

    /// The indices of the first `limit` examples whose class is in `classes`, in file order.
    public func indices(ofClasses classes: Set<Int>, limit: Int) -> [Int] {
        Array(labels.indices.lazy.filter { classes.contains(self.labels[$0]) }.prefix(limit))
    }

    /// Copies the examples at `indices` (in that order, repeats allowed) into `batch`, whose
    /// shape must be [indices.count, 1, 32, 32]. The shape and the indices come from code:
    /// a mismatch or an index outside 0..<count is a programming error and stops at once.
    public func batch(indices: [Int], into batch: Tensor) {
        let stride = Self.side * Self.side
        precondition(batch.shape == [indices.count, 1, Self.side, Self.side],
                     "a batch of \(indices.count) Fashion-MNIST images needs shape [\(indices.count), 1, 32, 32], not \(batch.shape)")
        for (slot, index) in indices.enumerated() {
            precondition((0..<count).contains(index), "example \(index) asked for, the data set holds 0..<\(count)")
            (batch.pointer + slot * stride).update(from: images.pointer + index * stride, count: stride)
        }
    }

    /// The 28×28 image inside a 32×32 one (row-major, values in [−1, 1]), mapped back to
    /// [0, 1] by (x + 1) / 2 and clamped to [0, 1] (a model's sample may overshoot; NaN stays NaN) — the
    /// inverse of the padding and scaling of `load`, for export (e.g. .npy files).
    public static func crop28(_ image32: UnsafePointer<Float>) -> [Float] {
        var result = [Float](repeating: 0, count: sourceSide * sourceSide)
        for row in 0..<sourceSide {
            let sourceRow = image32 + (row + padding) * side + padding
            for column in 0..<sourceSide {
                let value = (sourceRow[column] + 1) / 2
                result[row * sourceSide + column] = value.isNaN ? value : min(max(value, 0), 1)
            }
        }
        return result
    }
}
