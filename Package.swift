// swift-tools-version:6.0
// The module line (see ../shared/DESIGN.md):
//   CGSL → Stochastic → Gaussian → ForwardProcess → Posterior → ELBO
//   ForwardProcess → ScoreODE (σ-space and the ODE samplers; its checks in ScoreODEChecks, not in the math)
//   ForwardProcess, Gaussian → FlowMatching (the rectified-flow path; its checks in FlowMatchingChecks)
//   ELBO, ScoreODE, FlowMatching → Verification (`lessons verify`: someone else's recorded numbers against the math)
//   CGSL → Neural → ToyDiffusion → LatentDiffusion (which take every formula from the math modules;
//   LatentDiffusion reads Fashion-MNIST's IDX files through CZlib, zlib's gzread)
//   AtomicFiles: every file the project writes goes through a temporary file + rename.
//   Notebook and Charts are leaves: check results, the lesson format and its renderers;
//   figures drawn by gnuplot (CGnuplot: gnuplot-iostream behind a C API).
//   LessonsCLI + lessons: the command-line edge.
import PackageDescription

#if arch(x86_64)
let vectorized: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell", "-Xcc", "-fno-math-errno"])]
#else
let vectorized: [SwiftSetting] = []
#endif

let package = Package(
    name: "DiffusionVerifier",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lessons", targets: ["lessons"]),
        .executable(name: "fuzz", targets: ["fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // GSL headers, linked with OpenBLAS' CBLAS (never GSL's reference gslcblas): no pkgConfig.
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        // zlib (zlib1g-dev), for the gzip-compressed IDX files of Fashion-MNIST.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Notebook", dependencies: [.product(name: "Yams", package: "Yams")], exclude: ["README.md"]),
        // gnuplot-iostream (C++17, header-only) behind a plain C API; needs boost_iostreams.
        .target(name: "CGnuplot", linkerSettings: [.linkedLibrary("boost_iostreams")]),
        .target(name: "AtomicFiles", exclude: ["README.md"]),
        // One core's Float32 fused multiply-add peak (AVX2 intrinsics), for `lessons bench toy`.
        .target(name: "CFMAPeak"),
        .target(name: "Charts", dependencies: ["CGnuplot", "AtomicFiles"], exclude: ["README.md"]),
        .target(name: "Stochastic", dependencies: ["CGSL"], exclude: ["README.md"]),
        .target(name: "Gaussian", dependencies: ["Stochastic", "Notebook"], exclude: ["README.md"]),
        .target(name: "ForwardProcess", dependencies: ["Gaussian", "Stochastic", "Notebook"], exclude: ["README.md"]),
        .target(name: "Posterior", dependencies: ["ForwardProcess", "Gaussian", "Stochastic", "Notebook"], exclude: ["README.md"]),
        .target(name: "ELBO", dependencies: ["Posterior", "ForwardProcess", "Gaussian", "Stochastic", "Notebook"], exclude: ["README.md"]),
        // The score / probability-flow ODE view: σ-space, σ spacings, Euler/Heun/DPM-Solver samplers (pure Double).
        .target(name: "ScoreODE", dependencies: ["ForwardProcess", "Gaussian"], exclude: ["README.md"]),
        // Its checks (with their mutations), kept out of the math so ScoreODE imports no notebook.
        .target(name: "ScoreODEChecks", dependencies: ["ScoreODE", "Posterior", "ForwardProcess", "Gaussian", "Stochastic", "Notebook"], exclude: ["README.md"]),
        // Flow matching / rectified flow: the linear path, its velocity, SD3's shift and logit-normal t (pure Double).
        .target(name: "FlowMatching", dependencies: ["ForwardProcess", "Gaussian"], exclude: ["README.md"]),
        .target(name: "FlowMatchingChecks", dependencies: ["FlowMatching", "ScoreODE", "Posterior", "ForwardProcess", "Gaussian", "Stochastic", "Notebook"], exclude: ["README.md"]),
        // `lessons verify`: someone else's recorded schedule and steps against the math, with rounding bounds and diagnoses (pure Double).
        .target(name: "Verification", dependencies: ["ELBO", "Posterior", "ScoreODE", "FlowMatching", "ForwardProcess"], exclude: ["README.md"]),
        .target(name: "Claims", dependencies: ["ELBO", "Posterior", "ForwardProcess", "Gaussian", "Stochastic", "Notebook"], exclude: ["README.md"]),
        // Float32 tensors, an autograd tape, layers, Adam/EMA, safetensors; sgemm via OpenBLAS.
        // Their element-wise loops are compiled for AVX2 + FMA (-target-cpu haswell, the x86-64-v3 level), which every machine
        // of the project's kind has; without it Swift emits SSE and the loops run 2× slower. -fno-math-errno lets
        // the loops that take square roots vectorize: Swift's Float.squareRoot() is C's sqrtf, which may set errno,
        // and so stays a scalar call (the result is the same correctly rounded root either way).
        .target(name: "Neural", dependencies: ["CGSL", "Stochastic", "AtomicFiles"], exclude: ["README.md"], swiftSettings: vectorized),
        .target(name: "ToyDiffusion", dependencies: ["Neural", "ELBO", "Posterior", "ScoreODE", "ForwardProcess", "Stochastic", "Notebook", "AtomicFiles"], exclude: ["README.md"], swiftSettings: vectorized),
        // Fashion-MNIST (IDX files, gzip via zlib) and the latent diffusion model built on it.
        .target(
            name: "LatentDiffusion",
            dependencies: ["Neural", "ToyDiffusion", "ELBO", "Posterior", "ForwardProcess", "Stochastic", "Notebook", "AtomicFiles", "Gaussian", "CZlib"],
            exclude: ["README.md"],
            swiftSettings: vectorized
        ),
        .target(
            name: "LessonsCLI",
            dependencies: [
                "Notebook", "Charts", "Stochastic", "Gaussian", "ForwardProcess", "Posterior", "ELBO", "Claims", "ScoreODE", "ScoreODEChecks", "FlowMatching", "FlowMatchingChecks", "Verification", "ToyDiffusion", "LatentDiffusion", "Neural", "AtomicFiles", "CFMAPeak",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(name: "lessons", dependencies: ["LessonsCLI"]),
        // Property-based fuzzing of the lesson format, the safetensors and IDX readers (scripts/fuzz).
        .target(name: "LessonFuzzing", dependencies: ["Notebook", "Stochastic", "Neural", "LatentDiffusion", "Verification"], exclude: ["README.md"]),
        .executableTarget(name: "fuzz", dependencies: ["LessonFuzzing", "LessonsCLI"]),
        .testTarget(name: "StochasticTests", dependencies: ["Stochastic"]),
        .testTarget(name: "GaussianTests", dependencies: ["Gaussian", "Stochastic", "Notebook"]),
        .testTarget(name: "ForwardProcessTests", dependencies: ["ForwardProcess", "Gaussian", "Stochastic", "Notebook"]),
        .testTarget(name: "PosteriorTests", dependencies: ["Posterior", "ForwardProcess", "Gaussian", "Notebook"]),
        .testTarget(name: "ELBOTests", dependencies: ["ELBO", "Posterior", "ForwardProcess", "Gaussian", "Notebook"]),
        .testTarget(name: "ScoreODETests", dependencies: ["ScoreODE", "ScoreODEChecks", "Posterior", "ForwardProcess", "Gaussian", "Notebook"]),
        .testTarget(name: "FlowMatchingTests", dependencies: ["FlowMatching", "FlowMatchingChecks", "Notebook"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "Posterior", "ForwardProcess"]),
        .testTarget(name: "ClaimsTests", dependencies: ["Claims", "Notebook"]),
        .testTarget(name: "NeuralTests", dependencies: ["Neural", "Stochastic"], exclude: ["Fixtures"]),
        .testTarget(name: "ToyDiffusionTests", dependencies: ["ToyDiffusion", "Neural", "ForwardProcess", "Posterior", "ELBO", "ScoreODE", "Gaussian", "Stochastic", "Notebook"]),
        .testTarget(name: "LatentDiffusionTests", dependencies: ["LatentDiffusion", "Neural", "Stochastic"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(name: "LessonsCLITests", dependencies: ["LessonsCLI", "lessons", "Notebook", "LessonFuzzing", "CFMAPeak"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
