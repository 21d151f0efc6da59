import Foundation

/// Grayscale images (e.g. generated Fashion-MNIST samples) laid out in a grid and drawn by
/// gnuplot as one picture: each image is `side`×`side` pixels in [0, 1] (0 black, 1 white,
/// row 0 at the top), separated by a one-pixel gap of mid gray, an optional caption below.
public struct ImageGrid: Sendable, Equatable {
    public var images: [[Float]]
    public var side: Int
    public var columns: Int
    public var title: String?

    public init(images: [[Float]], side: Int, columns: Int, title: String? = nil) {
        self.images = images
        self.side = side
        self.columns = max(1, columns)
        self.title = title
    }

    public var rows: Int { (images.count + columns - 1) / columns }

    /// The whole grid as one matrix of gray levels, row 0 at the top.
    public var matrix: [[Float]] {
        let cell = side + 1
        let width = columns * cell + 1, height = rows * cell + 1
        var matrix = Array(repeating: Array(repeating: Float(0.5), count: width), count: height)
        for (index, image) in images.enumerated() {
            let top = (index / columns) * cell + 1, left = (index % columns) * cell + 1
            for row in 0..<side { for column in 0..<side { matrix[top + row][left + column] = image[row * side + column] } }
        }
        return matrix
    }

    /// A PNG (pngcairo), `scale` screen pixels per image pixel (more for a narrow grid, so
    /// that the picture is at least 360 pixels wide).
    public func png(scale requested: Int = 4, gnuplot: Gnuplot = Gnuplot()) throws -> Data {
        for image in images where image.count != side * side {
            throw ChartError.systemFailure("an image of the grid has \(image.count) pixels; a \(side)×\(side) image has \(side * side)")
        }
        let matrix = self.matrix
        let height = matrix.count, width = matrix.first?.count ?? 0
        let scale = max(requested, (360 + width - 1) / max(width, 1))
        // gnuplot's matrix rows go up the y axis: write the bottom row first.
        let data = matrix.reversed().map { row in row.map { String(format: "%.4f", min(max($0.isNaN ? 0 : $0, 0), 1)) }.joined(separator: " ") }.joined(separator: "\n")
        let caption = title == nil ? 0 : 32
        let script = """
            set terminal pngcairo noenhanced size \(width * scale),\(height * scale + caption) background rgb 'white'
            set output
            set lmargin 0; set rmargin 0; set tmargin \(title == nil ? 0 : 2); set bmargin 0
            unset border; unset tics; unset colorbox; unset key
            set palette gray
            set cbrange [0:1]
            set xrange [-0.5:\(width) - 0.5]; set yrange [-0.5:\(height) - 0.5]
            \(title.map { "set title " + GnuplotText.quoted($0) } ?? "")
            plot $data0 matrix with image
            """
        return try gnuplot.run(script: script, dataBlocks: [data])
    }
}
