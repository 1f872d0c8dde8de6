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
        // CPcap has no pkg-config name on purpose: libpcap is loaded with dlopen on first use, never linked
        // (Sources/CPcap/shim.h); its headers are in the default include path.
        .systemLibrary(name: "CPcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "RinglogCapture", dependencies: ["RinglogCore", "CPcap", "CZlib"], swiftSettings: strictSettings),

        // Durable state in SQLite: the outbox and the contact directory.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "RinglogStore", dependencies: ["RinglogCore", "CSQLite"], swiftSettings: strictSettings),

        // Pipedrive client: HTTP transport, OAuth tokens, rate limits, typed v1/v2 endpoints.
        // COpenSSL has no pkg-config name on purpose: OpenSSL is loaded with dlopen on the first https request,
        // never linked (Sources/COpenSSL/shim.h); its headers are in the default include path.
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .target(name: "RinglogPipedrive", dependencies: ["RinglogCore", "COpenSSL"], swiftSettings: strictSettings),

        // Chats and tickets from other systems: spool directory and stdin intake, batched flush to Pipedrive.
        .target(
            name: "RinglogEvents", dependencies: ["RinglogCore", "RinglogStore", "RinglogPipedrive"],
            swiftSettings: strictSettings),

        // libre (SIP): the user agent stack and, in tests, the decoding oracle for the Swift SIP decoder.
        .systemLibrary(name: "CRe", pkgConfig: "libre", providers: [.apt(["libre-dev"])]),
        .target(
            name: "CReShim", dependencies: ["CRe"],
            cSettings: [.define("HAVE_INTTYPES_H", to: "1"), .define("HAVE_STDBOOL_H", to: "1")]),
        .target(
            name: "RinglogSIPOracle", dependencies: ["RinglogCore", "CRe", "CReShim"], swiftSettings: strictSettings),
        .target(
            name: "RinglogSIP", dependencies: ["RinglogCore", "CRe", "CReShim"], swiftSettings: strictSettings),

        // The daemon's wiring and everything that reads files: configuration loading, later the agent itself.
        .target(
            name: "RinglogAgent",
            dependencies: [
                "RinglogCore", "RinglogStore", "RinglogPipedrive", "RinglogCapture", "RinglogEvents", "RinglogSIP",
            ],
            swiftSettings: strictSettings),

        // The one executable: parses arguments and calls the libraries.
        .executableTarget(
            name: "ringlog",
            dependencies: [
                "RinglogCore", "RinglogCapture", "RinglogAgent", "RinglogPipedrive", "RinglogEvents", "RinglogSIP",
                "RinglogStore",
            ],
            swiftSettings: strictSettings),

        // Benchmarks, run on demand in release mode (see docs/benchmarks.md).
        .executableTarget(
            name: "RinglogBenchmarks",
            dependencies: ["RinglogCore", "RinglogCapture", "RinglogEvents", "RinglogStore"],
            swiftSettings: strictSettings),

        // What the fuzz targets check for each input (scripts/fuzz, docs/reliability.md).
        .target(
            name: "RinglogFuzzing", dependencies: ["RinglogCore", "RinglogCapture", "RinglogEvents"],
            path: "Sources/Fuzz/RinglogFuzzing",
            swiftSettings: strictSettings),

        // Shared by test targets only: the Pipedrive simulator and child-process harness, the SIP lab's scripts.
        .target(
            name: "RinglogTestSupport", dependencies: ["RinglogPipedrive", "RinglogCore"],
            path: "Tests/RinglogTestSupport", swiftSettings: strictSettings),

        // Tests: one target per module.
        .testTarget(
            name: "RinglogCoreTests", dependencies: ["RinglogCore"],
            resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogCaptureTests", dependencies: ["RinglogCapture", "RinglogCore", "CZlib"],
            exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogStoreTests", dependencies: ["RinglogStore", "RinglogCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogPipedriveTests", dependencies: ["RinglogPipedrive", "RinglogCore", "RinglogTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogEventsTests",
            dependencies: ["RinglogEvents", "RinglogStore", "RinglogCore", "RinglogPipedrive", "RinglogTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogSIPOracleTests", dependencies: ["RinglogSIPOracle", "RinglogCore"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogSIPTests", dependencies: ["RinglogSIP", "CRe"], swiftSettings: strictSettings),
        // Against the SIP lab (scripts/lab): ringlog dial and the dialog-event source with Kamailio and baresip.
        .testTarget(
            name: "RinglogSIPLabTests", dependencies: ["RinglogSIP", "RinglogCore", "ringlog", "RinglogTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogAgentTests", dependencies: ["RinglogAgent", "RinglogCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogDaemonTests",
            dependencies: ["RinglogAgent", "RinglogCore", "RinglogStore", "RinglogPipedrive", "RinglogTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogFuzzingTests", dependencies: ["RinglogFuzzing"], swiftSettings: strictSettings),
        .testTarget(
            name: "RinglogCLITests", dependencies: ["RinglogCore", "RinglogTestSupport"], swiftSettings: strictSettings),
        // The contact directory end to end: the Pipedrive simulator's messy seed, synchronised and matched.
        .testTarget(
            name: "RinglogDirectoryTests",
            dependencies: ["RinglogStore", "RinglogPipedrive", "RinglogCore", "RinglogAgent", "RinglogTestSupport"],
            swiftSettings: strictSettings),
        // The lab's recordings and, when Kamailio, baresip and sipp are installed, the live SIP lab.
        .testTarget(
            name: "RinglogLabTests", dependencies: ["RinglogCapture", "RinglogCore", "RinglogTestSupport"],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (libFuzzer): only with RINGLOG_FUZZ set, because they are built with `-sanitize=fuzzer`, whose
// runtime drives them; scripts/fuzz builds and runs them (see docs/reliability.md). What they check lives in
// RinglogFuzzing, which the regression tests use too.
if Context.environment["RINGLOG_FUZZ"] != nil {
    package.targets.append(.systemLibrary(name: "CLibFuzzer", path: "Sources/Fuzz/CLibFuzzer"))
    for name in [
        "FuzzHEP", "FuzzSIP", "FuzzCaptureFile", "FuzzCallTracker", "FuzzPhone", "FuzzConfiguration", "FuzzEventLines",
    ] {
        package.products.append(.executable(name: name, targets: [name]))
        package.targets.append(
            .executableTarget(
                name: name, dependencies: ["RinglogFuzzing", "CLibFuzzer"], path: "Sources/Fuzz/\(name)",
                swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
