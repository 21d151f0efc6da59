/// What can go wrong loading Fashion-MNIST (`FashionMNIST.load`): a missing data set, an
/// unreadable or malformed file, or files that do not agree with each other.
///
/// Every `description` names the file, says what was wrong and what is expected; a missing
/// file names the Debian package that provides the data and how to install it.
public enum FashionMNISTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file of the split (or its folder) is not there.
    case missingDataset(path: String)
    /// The file is there but could not be read or decompressed.
    case unreadable(GzipError)
    /// The decompressed bytes are not a valid IDX file.
    case malformed(IDXError)
    /// The images file holds an array of other dimensions than [N, 28, 28].
    case wrongImageDimensions(path: String, dimensions: [Int])
    /// The labels file holds an array of other dimensions than [N].
    case wrongLabelDimensions(path: String, dimensions: [Int])
    /// The two files hold different numbers of examples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A label outside 0…9 (`index` is the example's position in the file).
    case labelOutOfRange(path: String, index: Int, label: Int)
    /// A negative `limit`.
    case invalidLimit(Int)

    /// The Debian package that installs the files, and the command that installs it.
    public static let package = "dataset-fashion-mnist"
    static let install = "install it with `sudo apt-get install dataset-fashion-mnist` (or run scripts/setup, which installs "
        + "every package the project needs)"

    public var description: String {
        switch self {
        case let .missingDataset(path):
            return "\(path): no such file; Fashion-MNIST comes from the Debian package \(Self.package), which puts "
                + "train-{images-idx3,labels-idx1}-ubyte.gz and t10k-{images-idx3,labels-idx1}-ubyte.gz in "
                + "\(FashionMNIST.defaultDirectory): \(Self.install), or give the folder that holds these files"
        case let .unreadable(error):
            return "\(error)"
        case let .malformed(error):
            return "\(error)"
        case let .wrongImageDimensions(path, dimensions):
            return "\(path): the images file holds an array of dimensions \(dimensions); Fashion-MNIST images are [N, 28, 28] "
                + "(is this the labels file, or another data set?)"
        case let .wrongLabelDimensions(path, dimensions):
            return "\(path): the labels file holds an array of dimensions \(dimensions); Fashion-MNIST labels are [N] "
                + "(is this the images file?)"
        case let .countMismatch(imagesPath, imageCount, labelsPath, labelCount):
            return "\(imagesPath) holds \(imageCount) images but \(labelsPath) holds \(labelCount) labels; "
                + "the two files of a split must hold one label per image (are they from different splits?)"
        case let .labelOutOfRange(path, index, label):
            return "\(path): label \(label) at position \(index); Fashion-MNIST labels are the classes 0 … 9"
        case let .invalidLimit(limit):
            return "a limit of \(limit) examples was asked for; give a count ≥ 0, or none for the whole split"
        }
    }
}
