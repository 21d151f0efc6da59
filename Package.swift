// swift-tools-version:6.0
// The module line (see ../shared/DESIGN.md):
//   CGSL → Stochastic → Gaussian → ForwardProcess → (Posterior → ELBO, later issues)
//   Notebook is a leaf: check results, the lesson format and its renderers.
//   LessonsCLI + lessons: the command-line edge.
import PackageDescription

let package = Package(
    name: "DiffusionVerifier",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lessons", targets: ["lessons"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // GSL headers, linked with OpenBLAS' CBLAS (never GSL's reference gslcblas): no pkgConfig.
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .target(name: "Notebook", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Stochastic", dependencies: ["CGSL"]),
        .target(name: "Gaussian", dependencies: ["Stochastic", "Notebook"]),
        .target(name: "ForwardProcess", dependencies: ["Gaussian", "Stochastic", "Notebook"]),
        .target(name: "ToyDiffusion", dependencies: ["Stochastic"]),
        .target(
            name: "LessonsCLI",
            dependencies: [
                "Notebook", "Stochastic", "Gaussian", "ForwardProcess", "ToyDiffusion",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "lessons", dependencies: ["LessonsCLI"]),
        .testTarget(name: "StochasticTests", dependencies: ["Stochastic"]),
        .testTarget(name: "GaussianTests", dependencies: ["Gaussian", "Stochastic", "Notebook"]),
        .testTarget(name: "ForwardProcessTests", dependencies: ["ForwardProcess", "Gaussian", "Stochastic", "Notebook"]),
        .testTarget(name: "ToyDiffusionTests", dependencies: ["ToyDiffusion", "Stochastic"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        .testTarget(name: "LessonsCLITests", dependencies: ["LessonsCLI", "lessons", "Notebook"]),
    ],
    swiftLanguageModes: [.v6]
)
