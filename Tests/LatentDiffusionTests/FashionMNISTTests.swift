import Foundation
import LatentDiffusion
import Neural
import Testing

@Suite("Fashion-MNIST from the Debian package dataset-fashion-mnist")
struct FashionMNISTTests {
    /// Fails with the loader's message (which says how to install the package) when absent.
    static func load(_ split: FashionMNIST.Split, limit: Int? = nil) throws -> FashionMNIST {
        try FashionMNIST.load(split: split, limit: limit)
    }

    /// The raw bytes of a split's images, read without the loader.
    static func rawImages(_ split: FashionMNIST.Split) throws -> IDXFile {
        let path = "\(FashionMNIST.defaultDirectory)/\(split.filePrefix)-images-idx3-ubyte.gz"
        return try IDXFile(decoding: try GzipReader.read(path: path), source: path)
    }

    @Test("The test split: 10 000 images [N, 1, 32, 32], 1 000 per class, the first labels as in the file")
    func testSplit() throws {
        let data = try Self.load(.test)
        #expect(data.count == 10_000)
        #expect(data.images.shape == [10_000, 1, 32, 32])
        #expect(data.labels.count == 10_000)
        // First labels and the histogram, read independently with Python's gzip + struct.
        #expect(Array(data.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        var histogram = [Int](repeating: 0, count: 10)
        for label in data.labels { histogram[label] += 1 }
        #expect(histogram == [Int](repeating: 1000, count: 10))
        #expect(FashionMNIST.classNames.count == 10)
        #expect(FashionMNIST.classNames[data.labels[0]] == "ankle boot")
    }

    @Test("indices(ofClasses:limit:) picks the first examples of the named classes, in file order")
    func indicesOfClasses() throws {
        let data = try Self.load(.test)
        // The labels start 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 (above).
        #expect(data.indices(ofClasses: [1, 6], limit: 4) == [2, 3, 4, 5])
        #expect(data.indices(ofClasses: [6], limit: 2) == [4, 7])
        #expect(data.indices(ofClasses: [9], limit: 0).isEmpty)
        let shirts = data.indices(ofClasses: [6], limit: 5000)
        #expect(shirts.count == 1000)
        #expect(shirts.allSatisfy { data.labels[$0] == 6 } && shirts == shirts.sorted())
    }

    @Test("Values lie in [−1, 1], reach both ends, and the 2-pixel border is background (−1) in every image")
    func rangeAndPadding() throws {
        let data = try Self.load(.test)
        let values = UnsafeBufferPointer(start: data.images.pointer, count: data.images.count)
        #expect(values.min() == -1)
        #expect(values.max() == 1)
        var borderOK = true
        for image in 0..<data.count {
            let base = image * 1024
            for row in 0..<32 {
                for column in 0..<32 where row < 2 || row >= 30 || column < 2 || column >= 30 {
                    if values[base + row * 32 + column] != -1 { borderOK = false }
                }
            }
        }
        #expect(borderOK)
    }

    /// Reference figures computed once, independently, with Python (gzip + struct) on the
    /// files of dataset-fashion-mnist: the test images' bytes sum to 573 469 082 over
    /// 10 000 × 784 pixels, a mean pixel in [0, 1] of 573469082 / 7840000 / 255 =
    /// 0.28684928071228494; the first test image's bytes sum to 33 456, the first training
    /// image's to 76 247; the first training labels are 9 0 0 3 0 2 7 2 5 5.
    @Test("The test set's mean pixel in [0, 1] is 0.28684928071228494 (Python reference), exactly recovered through crop28")
    func meanPixel() throws {
        let data = try Self.load(.test)
        var byteSum = 0
        var sum = 0.0
        for image in 0..<data.count {
            let pixels = FashionMNIST.crop28(data.images.pointer + image * 1024)
            for value in pixels {
                byteSum += Int((value * 255).rounded())
                sum += Double(value)
            }
            if image == 0 { #expect(pixels.reduce(0) { $0 + Int(($1 * 255).rounded()) } == 33_456) }
        }
        #expect(byteSum == 573_469_082)
        #expect(abs(sum / 7_840_000 - 0.28684928071228494) < 1e-7)
    }

    @Test("crop28 inverts the padding and scaling byte for byte; it clamps overshoot to [0, 1]")
    func cropInverts() throws {
        let data = try Self.load(.test, limit: 20)
        let raw = try Self.rawImages(.test)
        for image in 0..<20 {
            let pixels = FashionMNIST.crop28(data.images.pointer + image * 1024)
            let bytes = pixels.map { UInt8(($0 * 255).rounded()) }
            #expect(bytes == Array(raw.bytes[(image * 784)..<((image + 1) * 784)]))
        }
        let overshoot = Tensor(zeros: [1, 1, 32, 32])
        overshoot.fill(3)
        overshoot[2 * 32 + 2] = -5
        let clamped = FashionMNIST.crop28(overshoot.pointer)
        #expect(clamped[0] == 0)
        #expect(clamped.dropFirst().allSatisfy { $0 == 1 })
    }

    @Test("A limit loads the first examples of the training split; 0 loads none; a negative limit is refused")
    func limits() throws {
        let train = try Self.load(.train, limit: 100)
        #expect(train.count == 100)
        #expect(train.images.shape == [100, 1, 32, 32])
        #expect(Array(train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(FashionMNIST.crop28(train.images.pointer).reduce(0) { $0 + Int(($1 * 255).rounded()) } == 76_247)
        let none = try Self.load(.test, limit: 0)
        #expect(none.count == 0 && none.labels.isEmpty)
        #expect(try Self.load(.test, limit: 1_000_000).count == 10_000)
        #expect(throws: FashionMNISTError.invalidLimit(-1)) { try FashionMNIST.load(split: .test, limit: -1) }
    }

    @Test("batch(indices:into:) copies the chosen images in order, repeats allowed")
    func batch() throws {
        let data = try Self.load(.test, limit: 50)
        let indices = [7, 0, 49, 7]
        let batch = Tensor(zeros: [4, 1, 32, 32])
        data.batch(indices: indices, into: batch)
        for (slot, index) in indices.enumerated() {
            let expected = Array(UnsafeBufferPointer(start: data.images.pointer + index * 1024, count: 1024))
            let copied = Array(UnsafeBufferPointer(start: batch.pointer + slot * 1024, count: 1024))
            #expect(copied == expected)
        }
    }

    @Test("A missing folder names the Debian package and the command that installs it")
    func missingDataset() {
        let folder = "/nonexistent/fashion-mnist"
        do {
            _ = try FashionMNIST.load(split: .test, directory: folder)
            Issue.record("loaded from a missing folder")
        } catch {
            #expect(error == .missingDataset(path: folder + "/t10k-images-idx3-ubyte.gz"))
            #expect(error.description.contains("dataset-fashion-mnist"))
            #expect(error.description.contains("sudo apt-get install dataset-fashion-mnist"))
            #expect(error.description.contains("scripts/setup"))
        }
    }

    /// Writes a split's two files (gzip-compressed IDX) into a fresh folder.
    static func folder(images: [UInt8], labels: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fashion-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(GzipWriter.compress(images)).write(to: url.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try Data(GzipWriter.compress(labels)).write(to: url.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        return url
    }

    static func idx(_ dimensions: [Int], fill: UInt8 = 0) throws -> [UInt8] {
        try IDXFile(dimensions: dimensions, bytes: [UInt8](repeating: fill, count: dimensions.reduce(1, *))).encoded()
    }

    @Test("Files that disagree or hold the wrong arrays are refused with the case that says why")
    func inconsistentFiles() throws {
        let folder = try Self.folder(images: Self.idx([3, 28, 28], fill: 255), labels: Self.idx([3], fill: 4))
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = folder.appendingPathComponent("t10k-images-idx3-ubyte.gz").path
        let labels = folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path

        let small = try FashionMNIST.load(split: .test, directory: folder.path + "/")
        #expect(small.count == 3 && small.labels == [4, 4, 4])
        #expect(small.images[0] == -1 && small.images[2 * 32 + 2] == 1)

        func expectLoad(_ expected: FashionMNISTError, images imageBytes: [UInt8]? = nil, labels labelBytes: [UInt8]? = nil) throws {
            if let imageBytes { try Data(imageBytes).write(to: URL(fileURLWithPath: images)) }
            if let labelBytes { try Data(labelBytes).write(to: URL(fileURLWithPath: labels)) }
            #expect(throws: expected) { try FashionMNIST.load(split: .test, directory: folder.path) }
        }
        let goodImages = try GzipWriter.compress(Self.idx([3, 28, 28]))
        let goodLabels = try GzipWriter.compress(Self.idx([3]))
        try expectLoad(.countMismatch(imagesPath: images, imageCount: 3, labelsPath: labels, labelCount: 2),
                       labels: GzipWriter.compress(Self.idx([2])))
        try expectLoad(.labelOutOfRange(path: labels, index: 2, label: 10),
                       labels: GzipWriter.compress(IDXFile(dimensions: [3], bytes: [0, 9, 10]).encoded()))
        try expectLoad(.wrongLabelDimensions(path: labels, dimensions: [3, 1]), labels: GzipWriter.compress(Self.idx([3, 1])))
        try expectLoad(.wrongImageDimensions(path: images, dimensions: [3, 27, 28]),
                       images: GzipWriter.compress(Self.idx([3, 27, 28])), labels: goodLabels)
        try expectLoad(.wrongImageDimensions(path: images, dimensions: [3, 784]), images: GzipWriter.compress(Self.idx([3, 784])))
        try expectLoad(.malformed(.dataTooShort(source: images, dimensions: [3, 28, 28], expected: 2352, found: 2351)),
                       images: GzipWriter.compress(Array(Self.idx([3, 28, 28]).dropLast())))
        let cut = Array(goodImages.prefix(goodImages.count / 2))
        do {
            try Data(cut).write(to: URL(fileURLWithPath: images))
            _ = try FashionMNIST.load(split: .test, directory: folder.path)
            Issue.record("loaded a cut .gz file")
        } catch let error as FashionMNISTError {
            guard case .unreadable(.truncated(images, _)) = error else { Issue.record("\(error)"); return }
        }
    }
}
