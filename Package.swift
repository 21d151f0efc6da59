// swift-tools-version:6.0
// The layers, bottom to top (folders under Sources/ say the same; docs/architecture.md draws the graph):
//   System    C bridges (GSL + OpenBLAS, zlib, gnuplot, the FMA peak) and files (AtomicFiles, ProjectFolders)
//   Math      Stochastic → Gaussian → ForwardProcess → Posterior → ELBO; ScoreODE and FlowMatching on ForwardProcess.
//             Pure math: no module here knows about checks, lessons or presentation.
//   Models    Neural (Float32 tensors, autograd) → Sampling (one sampler for every ε-model, the math's steps on
//             Float32 batches) → ToyDiffusion (the 2-D MLP) and LatentDiffusion (autoencoder + U-Net)
//   Verifier  Verification (`lessons verify`: someone else's recorded numbers against the math)
//   Checks    CheckCore (rows, definitions, parameters, the audit; no YAML) and CheckKit (Monte-Carlo evidence,
//             schedule parameters), then one check target per math or model module, and Claims (the notes on trial)
//   Notebook  the lesson format and runner (Notebook), its renderers and exports (NotebookExport), Charts
//   Command   LessonsCLI (the `lessons` command, all subcommands), lessons (its main), LessonFuzzing and fuzz
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
        // MARK: System
        // GSL headers, linked with OpenBLAS' CBLAS (never GSL's reference gslcblas): no pkgConfig.
        .systemLibrary(name: "CGSL", path: "Sources/System/CGSL"),
        // zlib (zlib1g-dev), for the gzip-compressed IDX files of Fashion-MNIST.
        .systemLibrary(name: "CZlib", path: "Sources/System/CZlib"),
        // gnuplot-iostream (C++17, header-only) behind a plain C API; needs boost_iostreams.
        .target(name: "CGnuplot", path: "Sources/System/CGnuplot", linkerSettings: [.linkedLibrary("boost_iostreams")]),
        // One core's Float32 fused multiply-add peak (AVX2 intrinsics), for `lessons bench toy`.
        .target(name: "CFMAPeak", path: "Sources/System/CFMAPeak"),
        .target(name: "AtomicFiles", path: "Sources/System/AtomicFiles", exclude: ["README.md"]),
        .target(name: "ProjectFolders", path: "Sources/System/ProjectFolders", exclude: ["README.md"]),

        // MARK: Math
        .target(name: "Stochastic", dependencies: ["CGSL"], path: "Sources/Math/Stochastic", exclude: ["README.md"]),
        .target(name: "Gaussian", dependencies: ["Stochastic"], path: "Sources/Math/Gaussian", exclude: ["README.md"]),
        .target(name: "ForwardProcess", dependencies: ["Gaussian", "Stochastic"], path: "Sources/Math/ForwardProcess", exclude: ["README.md"]),
        .target(name: "Posterior", dependencies: ["ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Math/Posterior", exclude: ["README.md"]),
        .target(name: "ELBO", dependencies: ["Posterior", "ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Math/ELBO", exclude: ["README.md"]),
        // The score / probability-flow ODE view: σ-space, σ spacings, Euler/Heun/DPM-Solver samplers (pure Double).
        .target(name: "ScoreODE", dependencies: ["ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Math/ScoreODE", exclude: ["README.md"]),
        // Flow matching / rectified flow: the linear path, its velocity, SD3's shift and logit-normal t (pure Double).
        .target(name: "FlowMatching", dependencies: ["ForwardProcess", "Gaussian"], path: "Sources/Math/FlowMatching", exclude: ["README.md"]),

        // MARK: Models
        // Float32 tensors, an autograd tape, layers, Adam/EMA, safetensors; sgemm via OpenBLAS.
        // Their element-wise loops are compiled for AVX2 + FMA (-target-cpu haswell, the x86-64-v3 level), which every machine
        // of the project's kind has; without it Swift emits SSE and the loops run 2× slower. -fno-math-errno lets
        // the loops that take square roots vectorize: Swift's Float.squareRoot() is C's sqrtf, which may set errno,
        // and so stays a scalar call (the result is the same correctly rounded root either way).
        .target(name: "Neural", dependencies: ["CGSL", "CZlib", "Stochastic", "AtomicFiles"], path: "Sources/Models/Neural", exclude: ["README.md"], swiftSettings: vectorized),
        // One sampler for every ε-model (the toy MLP, the exact mixture ε*, the guided latent U-Net): DDPM, DDIM and
        // ScoreODE's solvers, their coefficients in Double from the math modules, applied to Float32 batches.
        .target(name: "Sampling", dependencies: ["Posterior", "ScoreODE", "ForwardProcess", "Stochastic"], path: "Sources/Models/Sampling", exclude: ["README.md"], swiftSettings: vectorized),
        .target(
            name: "ToyDiffusion",
            dependencies: ["Neural", "Sampling", "ScoreODE", "ELBO", "Posterior", "ForwardProcess", "Gaussian", "Stochastic"],
            path: "Sources/Models/ToyDiffusion", exclude: ["README.md"], swiftSettings: vectorized
        ),
        // Fashion-MNIST (IDX files, gzip via zlib) and the latent diffusion model built on it.
        .target(
            name: "LatentDiffusion",
            dependencies: ["Neural", "Sampling", "ForwardProcess", "Gaussian", "Stochastic", "CZlib"],
            path: "Sources/Models/LatentDiffusion", exclude: ["README.md"], swiftSettings: vectorized
        ),

        // MARK: Verifier
        // `lessons verify`: someone else's recorded schedule and steps against the math, with rounding bounds and diagnoses (pure Double).
        .target(name: "Verification", dependencies: ["ELBO", "Posterior", "ScoreODE", "FlowMatching", "ForwardProcess"], path: "Sources/Verifier/Verification", exclude: ["README.md"]),

        // MARK: Checks
        // What a check is: rows and verdicts, definitions with mutations, typed parameters, the audit. No YAML, no math.
        .target(name: "CheckCore", dependencies: ["Stochastic"], path: "Sources/Checks/CheckCore", exclude: ["README.md"]),
        // The shared kit of the checks: Monte-Carlo, KS and quadrature rows, Gaussian evidence, a cell's random stream, schedule parameters.
        .target(name: "CheckKit", dependencies: ["CheckCore", "ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Checks/CheckKit", exclude: ["README.md"]),
        .target(name: "GaussianChecks", dependencies: ["Gaussian", "CheckKit", "CheckCore", "Stochastic"], path: "Sources/Checks/GaussianChecks", exclude: ["README.md"]),
        .target(name: "ForwardProcessChecks", dependencies: ["ForwardProcess", "CheckKit", "CheckCore", "Gaussian", "Stochastic"], path: "Sources/Checks/ForwardProcessChecks", exclude: ["README.md"]),
        .target(name: "PosteriorChecks", dependencies: ["Posterior", "CheckKit", "CheckCore", "ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Checks/PosteriorChecks", exclude: ["README.md"]),
        .target(name: "ELBOChecks", dependencies: ["ELBO", "CheckKit", "CheckCore", "Posterior", "ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Checks/ELBOChecks", exclude: ["README.md"]),
        .target(name: "ScoreODEChecks", dependencies: ["ScoreODE", "CheckKit", "CheckCore", "Posterior", "ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Checks/ScoreODEChecks", exclude: ["README.md"]),
        .target(name: "FlowMatchingChecks", dependencies: ["FlowMatching", "CheckKit", "CheckCore", "ScoreODE", "Posterior", "ForwardProcess", "Gaussian", "Stochastic"], path: "Sources/Checks/FlowMatchingChecks", exclude: ["README.md"]),
        .target(
            name: "ToyDiffusionChecks",
            dependencies: ["ToyDiffusion", "Sampling", "Neural", "CheckKit", "CheckCore", "ScoreODE", "ELBO", "Posterior", "ForwardProcess", "Gaussian", "Stochastic", "ProjectFolders"],
            path: "Sources/Checks/ToyDiffusionChecks", exclude: ["README.md"]
        ),
        .target(
            name: "LatentDiffusionChecks",
            dependencies: ["LatentDiffusion", "Neural", "CheckKit", "CheckCore", "Gaussian", "Stochastic", "ProjectFolders"],
            path: "Sources/Checks/LatentDiffusionChecks", exclude: ["README.md"]
        ),
        // The claims of the source notes on trial; a claim a module check settles wraps that check.
        .target(
            name: "Claims",
            dependencies: ["GaussianChecks", "ForwardProcessChecks", "PosteriorChecks", "ELBOChecks", "ScoreODEChecks", "CheckKit", "CheckCore", "ELBO", "Posterior", "ScoreODE", "ForwardProcess", "Gaussian", "Stochastic", "Neural", "ToyDiffusion", "LatentDiffusion"],
            path: "Sources/Checks/Claims", exclude: ["README.md"]
        ),

        // MARK: Notebook
        // The lesson format (prose + check cells with YAML parameters), its parser, cell binding and runner.
        .target(name: "Notebook", dependencies: ["CheckCore", "Stochastic", .product(name: "Yams", package: "Yams")], path: "Sources/Notebook/Notebook", exclude: ["README.md"]),
        // What a run is shown as: terminal tables, JSON, LaTeX → Unicode, Markdown, Jupyter, HTML and JSON exports.
        .target(name: "NotebookExport", dependencies: ["Notebook", "CheckCore"], path: "Sources/Notebook/NotebookExport", exclude: ["README.md"]),
        .target(name: "Charts", dependencies: ["CGnuplot", "AtomicFiles"], path: "Sources/Notebook/Charts", exclude: ["README.md"]),

        // MARK: Command
        .target(
            name: "LessonsCLI",
            dependencies: [
                "Notebook", "NotebookExport", "CheckCore", "Charts", "Stochastic", "Gaussian", "ForwardProcess", "Posterior", "ELBO", "ScoreODE",
                "GaussianChecks", "ForwardProcessChecks", "PosteriorChecks", "ELBOChecks", "ScoreODEChecks", "FlowMatchingChecks", "ToyDiffusionChecks", "LatentDiffusionChecks", "Claims",
                "Verification", "Sampling", "ToyDiffusion", "LatentDiffusion", "Neural", "AtomicFiles", "ProjectFolders", "CFMAPeak",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Command/LessonsCLI", exclude: ["README.md"]
        ),
        .executableTarget(name: "lessons", dependencies: ["LessonsCLI"], path: "Sources/Command/lessons"),
        // Property-based fuzzing of the lesson format, the safetensors and IDX readers and the trace reader (scripts/fuzz).
        .target(
            name: "LessonFuzzing",
            dependencies: ["Notebook", "NotebookExport", "CheckCore", "Stochastic", "Neural", "LatentDiffusion", "Verification"],
            path: "Sources/Command/LessonFuzzing", exclude: ["README.md"]
        ),
        .executableTarget(name: "fuzz", dependencies: ["LessonFuzzing", "LessonsCLI"], path: "Sources/Command/fuzz"),

        // MARK: Tests
        .testTarget(name: "StochasticTests", dependencies: ["Stochastic"]),
        .testTarget(name: "GaussianTests", dependencies: ["Gaussian", "GaussianChecks", "CheckKit", "CheckCore", "Stochastic"]),
        .testTarget(name: "ForwardProcessTests", dependencies: ["ForwardProcess", "ForwardProcessChecks", "CheckCore", "Gaussian", "Stochastic"]),
        .testTarget(name: "PosteriorTests", dependencies: ["Posterior", "PosteriorChecks", "CheckCore", "ForwardProcess", "Gaussian", "Stochastic"]),
        .testTarget(name: "ELBOTests", dependencies: ["ELBO", "ELBOChecks", "CheckCore", "Posterior", "ForwardProcess", "Gaussian"]),
        .testTarget(name: "ScoreODETests", dependencies: ["ScoreODE", "ScoreODEChecks", "CheckKit", "CheckCore", "Posterior", "ForwardProcess", "Gaussian"]),
        .testTarget(name: "FlowMatchingTests", dependencies: ["FlowMatching", "FlowMatchingChecks", "CheckCore"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "Posterior", "ForwardProcess"]),
        .testTarget(name: "ClaimsTests", dependencies: ["Claims", "CheckCore"]),
        .testTarget(name: "NeuralTests", dependencies: ["Neural", "Stochastic"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ToyDiffusionTests",
            dependencies: ["ToyDiffusion", "ToyDiffusionChecks", "Sampling", "Neural", "ForwardProcess", "Posterior", "ELBO", "ScoreODE", "Gaussian", "Stochastic", "CheckCore"]
        ),
        .testTarget(name: "LatentDiffusionTests", dependencies: ["LatentDiffusion", "LatentDiffusionChecks", "CheckCore", "Neural", "Stochastic", "Gaussian"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "NotebookExport", "CheckCore", "Stochastic"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(
            name: "LessonsCLITests",
            dependencies: [
                "LessonsCLI", "lessons", "Notebook", "Neural", "CheckCore", "LessonFuzzing", "CFMAPeak", "GaussianChecks", "ForwardProcessChecks",
                "PosteriorChecks", "ELBOChecks", "ScoreODEChecks", "FlowMatchingChecks", "ToyDiffusionChecks", "LatentDiffusionChecks", "Claims",
            ]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
