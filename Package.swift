// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: explicit `any`, no members leaking through transitive imports,
/// and nonisolated async functions that stay on their caller's actor.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "ringlog",
    products: [
        .executable(name: "ringlog", targets: ["ringlog"]),
        .executable(name: "ringlog-bench", targets: ["RinglogBenchmarks"]),
    ],
    targets: [
        // Core: phone numbers, SIP decoding and call tracking, matching, payload mapping. No I/O.
        .target(name: "RinglogCore", swiftSettings: strictSettings),

        // Capture adapters: pcap/pcapng files and live capture (libpcap), HEP listener, zlib.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "RinglogCapture", dependencies: ["RinglogCore", "CPcap", "CZlib"], swiftSettings: strictSettings),

        // Pipedrive client: HTTP transport, OAuth tokens, rate limits, typed v1/v2 endpoints.
        .target(name: "RinglogPipedrive", dependencies: ["RinglogCore"], swiftSettings: strictSettings),

        // The one executable: parses arguments and calls the libraries.
        .executableTarget(
            name: "ringlog", dependencies: ["RinglogCore", "RinglogCapture", "RinglogPipedrive"],
            swiftSettings: strictSettings),

        // Benchmarks, run on demand in release mode (see docs/benchmarks.md).
        .executableTarget(
            name: "RinglogBenchmarks", dependencies: ["RinglogCore"], swiftSettings: strictSettings),

        .testTarget(
            name: "RinglogCoreTests", dependencies: ["RinglogCore"],
            resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogCLITests", dependencies: ["RinglogCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogPipedriveTests", dependencies: ["RinglogPipedrive"], swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
