// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "kafka-transaction-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gateway", targets: ["Gateway"]),
        .executable(name: "txgen", targets: ["TxGen"]),
        .library(name: "HTTPCore", targets: ["HTTPCore"]),
        .library(name: "KafkaBridge", targets: ["KafkaBridge"]),
        // Test support, as Hummingbird ships HummingbirdTesting: only test targets depend on these.
        .library(name: "HTTPCoreTesting", targets: ["HTTPCoreTesting"]),
        .library(name: "KafkaBridgeTesting", targets: ["KafkaBridgeTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        // HTTPCore's request methods and response statuses (`HTTPRequest.Method`, `HTTPResponse.Status`).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Micro-benchmarks only (Benchmarks/): statistics, malloc counts, `swift package benchmark`.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // C shims: Glibc does not export epoll/eventfd or malloc.h, and Swift cannot call C variadics.
        .target(name: "CEpoll"),
        .target(name: "CMalloc"),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // The monitor's local state store (one database file per owned partition).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Small dependency-free pieces every module shares (monotonic clock, ...).
        .target(name: "CoreSupport", dependencies: ["CMalloc"]),
        .target(
            name: "HTTPCore",
            dependencies: [
                "CEpoll", "CoreSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The alert webhooks' HTTP client over libcurl's multi interface (curl_* stays in here).
        .target(name: "WebhookClient", dependencies: ["CCurl"]),
        .target(
            name: "KafkaBridge",
            dependencies: ["CRdKafka", "CoreSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // Test support for the two libraries, kept out of the product: `HTTPTestClient` drives a router in
        // process; a producer pool's fatal error on demand (librdkafka's own test hook).
        .target(name: "HTTPCoreTesting", dependencies: ["HTTPCore"]),
        .target(name: "KafkaBridgeTesting", dependencies: ["KafkaBridge", "CRdKafka"]),
        // The service as a library: model, ingest, monitoring, metrics, health, wiring.
        .target(
            name: "GatewayKit",
            dependencies: [
                "HTTPCore", "KafkaBridge", "CoreSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "COpenSSLCrypto", "CSQLite", "WebhookClient",
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ]
        ),
        // The thin executable: command line and start-up only.
        .executableTarget(
            name: "Gateway",
            dependencies: [
                "GatewayKit", "KafkaBridge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The traffic generator as a library: simulation, fraud injection, load over libcurl.
        .target(
            name: "TxGenKit",
            dependencies: [
                "CCurl", "CoreSupport",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Its thin executable: command line only.
        .executableTarget(
            name: "TxGen",
            dependencies: [
                "TxGenKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // What several test targets share: running child processes with bounded waits.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CoreSupportTests", dependencies: ["CoreSupport"]),
        // Micro-benchmarks (ordo-one/benchmark): `swift package -c release benchmark`, see README.
        // The plugin finds them by their folder's parent being Benchmarks/.
        .executableTarget(
            name: "TransactionJSONBenchmark",
            dependencies: ["GatewayKit", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/TransactionJSON",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MonitorBenchmark",
            dependencies: ["GatewayKit", "CoreSupport", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Monitor",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IdempotencyBenchmark",
            dependencies: ["GatewayKit", "HTTPCore", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Idempotency",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not a benchmark: an HTTPCore-only server for wrk, to compare with nginx (bench/).
        .executableTarget(
            name: "HTTPCoreBenchServer",
            dependencies: ["HTTPCore", .product(name: "Logging", package: "swift-log")],
            path: "bench/HTTPCoreServer"
        ),

        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore", "HTTPCoreTesting", "TestSupport"]),
        .testTarget(name: "KafkaBridgeTests", dependencies: ["KafkaBridge", "KafkaBridgeTesting", "TestSupport"]),
        .testTarget(
            name: "GatewayKitTests",
            dependencies: ["GatewayKit", "KafkaBridge", "HTTPCore", "HTTPCoreTesting", "CoreSupport", "TestSupport"]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "GatewayKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Depends on the executable too: its CLI tests parse flags in-process, and the process
        // tests need the `txgen` binary built.
        .testTarget(
            name: "TxGenTests",
            dependencies: [
                "TxGen", "TxGenKit", "HTTPCore", "CoreSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["KafkaBridge", "TestSupport"]),
    ]
)
