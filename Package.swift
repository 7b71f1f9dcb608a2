// swift-tools-version:6.1
// stemtrace: an on-disk feature store and batch processor for explaining music emotion models.
// Module layout and dependency direction follow docs/ARCHITECTURE.md:
// stemtrace → Pipeline → (Analysis, Explain, Inference, Separation) → (Store, DSP, AudioIO) → C system libraries.
import PackageDescription

let package = Package(
    name: "stemtrace",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stemtrace", targets: ["stemtrace"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    ],
    targets: [
        // One system-library module per C library (headers and link flags from Debian's -dev packages).
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW3f", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        // oneDNN (Winograd 3×3 convolutions); Debian ships no dnnl.pc, so the modulemap names the libraries.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // glibc's <malloc.h> (mallopt), which the Glibc module does not export.
        .systemLibrary(name: "CMalloc"),

        // Writes the git commit being built into Core (BuildInfo.commit) before every build.
        .plugin(name: "BuildCommit", capability: .buildTool(), path: "Plugins/BuildCommit"),
        // glibc's vector math (libmvec) behind a C call, for the spectrogram's log compression.
        .target(name: "CVectorMath", linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),

        // Core: value types and utilities every layer shares; depends on no other stemtrace module.
        .target(
            name: "Core",
            dependencies: ["CXXHash", "CMalloc", .product(name: "Subprocess", package: "swift-subprocess")],
            plugins: ["BuildCommit"]
        ),
        .target(name: "AudioIO", dependencies: ["Core", "CSndfile", "CSoxr", "CVectorMath"]),
        .target(
            name: "DSP",
            dependencies: ["CFFTW3f", "COpenBLAS", "CVectorMath"],
            // fftwf_make_planner_thread_safe lives in libfftw3f_threads, which fftw3f.pc does not name.
            linkerSettings: [.linkedLibrary("fftw3f_threads")]
        ),
        .target(
            name: "Store",
            dependencies: ["Core", "CLZ4", "CXXHash", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("schema")]
        ),
        .target(
            name: "Inference",
            dependencies: ["Core", "COpenBLAS", "CDNNL", "CVectorMath", "DSP", "AudioIO"],
            resources: [.copy("Resources/musicnn-msd")]
        ),
        .target(
            name: "Separation",
            dependencies: ["Core", "AudioIO", "DSP", "Inference", .product(name: "Subprocess", package: "swift-subprocess")]
        ),
        .target(name: "Explain", dependencies: ["Core", "DSP", "COpenBLAS"]),
        // Models: what a model file is and how to run it (one ModelKind per kind), over Inference's networks.
        .target(name: "Models", dependencies: ["Core", "DSP", "Inference", "Explain", "Store"]),
        // Plots: the SVG charts of the report (no stemtrace dependency).
        .target(name: "Plots", dependencies: ["Core"]),
        .target(name: "Analysis", dependencies: ["Core", "Store", "Plots", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "Pipeline",
            dependencies: [
                "Core", "AudioIO", "DSP", "Store", "Inference", "Models", "Separation", "Explain", "Analysis", "SwiftCSV",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "stemtrace",
            dependencies: [
                "Core", "Pipeline", "Analysis", "Store", "Inference", "Models", "DSP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks are executables, never part of `swift test` (docs/BENCHMARKS.md).
        .executableTarget(
            name: "SpectrogramBench",
            dependencies: ["AudioIO", "DSP", "Pipeline"],
            path: "tools/bench/SpectrogramBench"
        ),
        .executableTarget(
            name: "ModelBench",
            dependencies: ["Inference", "Store", "COpenBLAS"],
            path: "tools/bench/ModelBench"
        ),
        .executableTarget(
            name: "SeparationBench",
            dependencies: ["DSP", "Pipeline", "Separation"],
            path: "tools/bench/SeparationBench"
        ),
        .executableTarget(
            name: "SpleeterBench",
            dependencies: ["AudioIO", "DSP", "Inference", "Pipeline"],
            path: "tools/bench/SpleeterBench"
        ),
        // Fuzzing (docs/FUZZING.md): the readers of hostile bytes as fuzz targets, one libFuzzer executable
        // per target (fuzzer builds by tools/fuzz only; other builds get a replay `main`), and the corpus replay.
        .target(name: "FuzzTargets", dependencies: ["Core", "Store", "Inference", "AudioIO", "Pipeline"]),
        .executableTarget(name: "FuzzSafetensors", dependencies: ["FuzzTargets"], path: "tools/fuzzing/FuzzSafetensors"),
        .executableTarget(name: "FuzzShardRecord", dependencies: ["FuzzTargets"], path: "tools/fuzzing/FuzzShardRecord"),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzTargets"], path: "tools/fuzzing/FuzzCSV"),
        .executableTarget(name: "FuzzAudioDecoder", dependencies: ["FuzzTargets"], path: "tools/fuzzing/FuzzAudioDecoder"),
        .testTarget(
            name: "FuzzTargetsTests",
            dependencies: ["FuzzTargets", "TestSupport", "Store", "Inference", "AudioIO", "Pipeline", "DSP"]
        ),

        .target(name: "TestSupport", dependencies: ["Core", "Inference", "AudioIO"], path: "Tests/TestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Inference", "Core", "TestSupport"]),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "TestSupport"]),
        .testTarget(name: "DSPTests", dependencies: ["DSP", "CVectorMath", "Core", "TestSupport"]),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "Models", "Core", "CVectorMath", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Store", "TestSupport"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots", "Core"]),
        .testTarget(name: "ExplainTests", dependencies: ["Explain", "DSP", "Store", "Inference", "TestSupport"]),
        .testTarget(name: "SeparationTests", dependencies: ["Separation", "Inference", "AudioIO", "DSP", "Core", "TestSupport"]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "AudioIO", "Store", "Separation", "Inference", "Models", "Explain", "DSP", "Core", "Analysis",
                .product(name: "GRDB", package: "GRDB.swift"),
                "TestSupport",
            ]
        ),
    ]
)
