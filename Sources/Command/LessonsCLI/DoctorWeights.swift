import CheckCore
import Foundation
import LatentDiffusion
import Neural
import Notebook
import ProjectFolders
import ToyDiffusion

/// The doctor's lines for the committed pretrained models in Models/: each file is there and
/// reads as safetensors (the project's own reader) and its tensors match the CRC-32s it
/// records, with its size and tensor count.
enum DoctorWeights {
    /// The files the repository commits, by name without `.safetensors`: the three latent
    /// models (`lessons generate`, `eval`) and the toy models that `sample`, the figures and
    /// the lessons read (no moons model is committed).
    static let committed = LatentModelKind.allCases.map(\.rawValue) + [ToyDataset.swissroll, .gaussians].map(\.rawValue)

    /// One line per committed file in `folder` (the nearest Models/ by default; nil when none).
    static func checks(folder: URL? = ProjectFolders.nearest(named: "Models"), names: [String] = committed) -> [DoctorCheck] {
        guard let folder else {
            return [.fail("weights", "no Models/ folder above the working directory or the executable; "
                          + "run lessons from the repository checkout (or restore it: git checkout -- Models)")]
        }
        return names.map { check(folder.appendingPathComponent($0 + ".safetensors"), name: $0) }
    }

    /// The line of one weights file.
    static func check(_ url: URL, name: String) -> DoctorCheck {
        let item = "weights \(name)"
        let path = LessonLibrary.displayPath(url)
        let restore = "restore the committed file: git checkout -- \(path)"
        do {
            let file = try SafetensorsFile(contentsOf: url)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
            let checked = file.hasVerifiedChecksums ? "CRC-32s match" : "no checksums recorded, read unchecked"
            return .ok(item, "\(path): \(size.map(byteCount) ?? "size unknown"), \(file.tensors.count) tensors, \(checked)")
        } catch .missingFile {
            return .fail(item, "\(path): no such file; \(restore)")
        } catch {
            return .fail(item, "\(error); \(restore)")
        }
    }

    /// A file size for people: "606 kB", "9.1 MB" (decimal units).
    static func byteCount(_ bytes: Int) -> String {
        if bytes < 1_000 { return "\(bytes) B" }
        if bytes < 1_000_000 { return String(format: "%.0f kB", Double(bytes) / 1e3) }
        return String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
