import LatentDiffusion

/// The doctor's Fashion-MNIST line: the four IDX files of `dataset-fashion-mnist` are there,
/// decompress, and parse as images [N, 28, 28] with N labels in 0…9 (through
/// `FashionMNIST.load` with a limit of 0, which validates both files of a split whole but
/// converts no image).
enum DoctorFashionMNIST {
    /// `directory` is the folder that should hold the files.
    static func check(directory: String = FashionMNIST.defaultDirectory) -> DoctorCheck {
        for split in FashionMNIST.Split.allCases {
            do {
                _ = try FashionMNIST.load(split: split, directory: directory, limit: 0)
            } catch .missingDataset(let path) {
                return .fail("fashion-mnist", "\(path): no such file; install: apt-get install \(FashionMNISTError.package) "
                             + "(it puts the four files in \(FashionMNIST.defaultDirectory))")
            } catch {
                return .fail("fashion-mnist", "\(error); reinstall: apt-get install --reinstall \(FashionMNISTError.package)")
            }
        }
        let prefixes = FashionMNIST.Split.allCases.map(\.filePrefix).joined(separator: ", ")
        return .ok("fashion-mnist", "\(directory): images and labels of \(prefixes) parse and agree")
    }
}
