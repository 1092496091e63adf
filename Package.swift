// swift-tools-version: 6.1
// Earshot: an acoustic event detector for street sensor boxes.
// Module map: README.md "Layout".

import PackageDescription

/// Kernels and detector must stay Embedded-clean; `make embedded` compiles
/// them for bare-metal ARM. On the host they build as ordinary modules.
let package = Package(
    name: "Earshot",
    products: [
        .executable(name: "earshot", targets: ["earshot"]),
        .executable(name: "earshot-central", targets: ["earshot-central"]),
        .library(name: "EarshotDSP", targets: ["EarshotDSP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(name: "CAlsa", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // <sys/timex.h> from glibc (its Swift module leaves it out): the kernel's clock-sync state.
        .systemLibrary(name: "CTimex"),

        // Portable core: no Foundation, no classes, no existentials, no heap.
        // `.rounded()` and `squareRoot()` lower to libm's rint/sqrt (exactly
        // specified by IEEE 754, so results are identical on every target).
        // The x86_64 target CPU's vector width (EarshotDSP's filterbank layout;
        // absent from the Embedded builds, which compile the sources directly).
        .systemLibrary(name: "CEarshotCPU"),
        .target(name: "EarshotDSP", dependencies: ["CEarshotCPU"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "EarshotDetection", dependencies: ["EarshotDSP"]),
        // Host side of detection: the signature-table file (parse, validate, learn).
        .target(name: "EarshotSignatures", dependencies: ["EarshotDetection", "EarshotDSP", "EarshotJSON", "EarshotPlatform"]),

        // One adapter per C library.
        .target(name: "EarshotAudio", dependencies: ["CAlsa", "EarshotDSP", "EarshotPlatform"]),
        .target(name: "EarshotGPIO", dependencies: ["CGPIOD", "EarshotPlatform"]),
        .target(name: "EarshotMQTT", dependencies: ["CMosquitto", "EarshotJSON", "EarshotPlatform", "EarshotText"]),
        .target(name: "EarshotTestSupport", dependencies: ["EarshotDetection", "EarshotSignatures", "EarshotPlatform"]),
        .executableTarget(name: "earshot-mqtt-probe", dependencies: ["EarshotMQTT"], path: "Tools/mqtt-probe"),

        // The site and board files: TOML reader and editor, typed settings, validation (issue 18: split out of EarshotAgent).
        .target(name: "EarshotConfig", dependencies: ["EarshotPlatform"]),
        // `earshot analyze` and `learn`: files → frames → detector → events, report formats,
        // candidate harvest (issue 18: split out of EarshotAgent; uses nothing of the runtime).
        .target(name: "EarshotOffline", dependencies: [
            "EarshotAudio", "EarshotDSP", "EarshotDetection", "EarshotPlatform", "EarshotSignatures", "EarshotText",
        ]),
        // Wiring, runtime, services, localisation, the demo; and the CLI on top.
        .target(name: "EarshotAgent", dependencies: [
            "EarshotConfig", "EarshotOffline", "EarshotDSP", "EarshotDetection", "EarshotSignatures", "EarshotAudio", "EarshotGPIO", "EarshotMQTT", "EarshotPlatform", "EarshotText",
        ]),
        // The technician's commands: meter, listen, calibrate, selftest, devices, gpio, mqtt
        // check, command send (issue 18: split out of EarshotAgent; they drive its runtime).
        .target(name: "EarshotDiagnostics", dependencies: [
            "EarshotAgent", "EarshotConfig", "EarshotOffline", "EarshotAudio", "EarshotDSP", "EarshotDetection", "EarshotGPIO",
            "EarshotMQTT", "EarshotPlatform", "EarshotSignatures", "EarshotText",
        ]),
        .executableTarget(name: "earshot", dependencies: [
            "EarshotAgent", "EarshotConfig", "EarshotDiagnostics", "EarshotOffline", "EarshotPlatform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Measurement tools (built in release by `make bench`, `make alloc`).
        .executableTarget(name: "earshot-bench", dependencies: ["EarshotDSP", "EarshotDetection"],
                          path: "Benchmarks/earshot-bench"),
        .executableTarget(name: "earshot-alloc", dependencies: [
            "EarshotDSP", "EarshotDetection", "EarshotSignatures", "EarshotTestSupport",
            .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
        ], path: "Benchmarks/earshot-alloc"),
        .executableTarget(name: "earshot-agent-bench", dependencies: [
            "EarshotAgent", "EarshotConfig", "EarshotText", "EarshotTestSupport",
            .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
        ], path: "Benchmarks/earshot-agent-bench"),
        .executableTarget(name: "earshot-capture-probe", dependencies: ["EarshotAudio"], path: "Tools/capture-probe"),
        .executableTarget(name: "earshot-soak", dependencies: [
            "EarshotAgent", "EarshotDSP", "EarshotText", "EarshotTestSupport",
            .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
        ], path: "Benchmarks/earshot-soak"),
        // HIL VM (make hil): the audio and signature table played into snd-aloop.
        .executableTarget(name: "earshot-hil-gen", dependencies: ["EarshotAgent", "EarshotSignatures", "EarshotTestSupport"],
                          path: "Tools/hil/gen"),
        .executableTarget(name: "earshot-tune", dependencies: [
            "EarshotAgent", "EarshotDSP", "EarshotDetection", "EarshotSignatures",
        ], path: "Tools/eval/tune"),

        .testTarget(name: "EarshotDSPTests", dependencies: ["EarshotDSP"]),
        .testTarget(name: "EarshotDetectionTests", dependencies: ["EarshotDetection", "EarshotDSP"]),
        .testTarget(name: "EarshotSignaturesTests", dependencies: ["EarshotSignatures", "EarshotDetection", "EarshotTestSupport"]),
        .testTarget(name: "EarshotAudioTests", dependencies: ["EarshotAudio", "EarshotDSP", "EarshotTestSupport"]),
        .testTarget(name: "EarshotGPIOTests", dependencies: ["EarshotGPIO", "EarshotPlatform"]),
        .testTarget(name: "EarshotMQTTTests", dependencies: ["EarshotMQTT", "EarshotText", "EarshotTestSupport"]),
        .testTarget(name: "EarshotAgentTests", dependencies: ["EarshotAgent", "EarshotConfig", "EarshotDiagnostics", "EarshotOffline", "EarshotPlatform", "EarshotText", "EarshotTestSupport"]),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CAlsa", "CGPIOD", "CMosquitto"]),

        // Strict RFC 8259 reader for the signature table and command payloads (no Foundation).
        .target(name: "EarshotJSON"),
        .testTarget(name: "EarshotJSONTests", dependencies: ["EarshotJSON"]),

        // The supervision centre (issue 15): site registry, fusion of many boxes' events into
        // located incidents, MQTT service, operator page; `earshot-fleet` simulates a city.
        .target(name: "EarshotCentral", dependencies: ["CMosquitto", "EarshotAgent", "EarshotConfig", "EarshotMQTT", "EarshotJSON", "EarshotPlatform", "EarshotText"]),
        .executableTarget(name: "earshot-central", dependencies: ["EarshotCentral"]),
        .executableTarget(name: "earshot-fleet", dependencies: ["EarshotCentral", "EarshotDSP", "EarshotMQTT", "EarshotTestSupport"],
                          path: "Tools/fleet"),
        .testTarget(name: "EarshotCentralTests", dependencies: ["EarshotCentral", "EarshotConfig", "EarshotDSP", "EarshotMQTT", "EarshotText", "EarshotTestSupport"]),

        // The one module that calls the C library for the process itself (issue 18): threads,
        // clocks, the recursive lock, errno text, file descriptors and atomic file replacement,
        // standard error. Adapters and services use it instead of calling Glibc.
        .target(name: "EarshotPlatform", dependencies: ["CTimex"]),
        // Allocation-free text (issue 18): the one JSON writer and its escaping, the one
        // fixed-decimal formatter, decimal digits, inline status text. No dependencies.
        .target(name: "EarshotText"),
        .testTarget(name: "EarshotTextTests", dependencies: ["EarshotText"]),
        .testTarget(name: "EarshotPlatformTests", dependencies: ["EarshotPlatform"]),
    ],
    swiftLanguageModes: [.v6]
)
