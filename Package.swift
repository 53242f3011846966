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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C shims: Glibc does not export epoll/eventfd, and Swift cannot call C variadics.
        .target(name: "CEpoll"),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),

        .target(
            name: "HTTPCore",
            dependencies: ["CEpoll", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "KafkaBridge",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "Gateway",
            dependencies: [
                "HTTPCore", "KafkaBridge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "TxGen",
            dependencies: [
                "CCurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"]),
        .testTarget(name: "KafkaBridgeTests", dependencies: ["KafkaBridge"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "KafkaBridge", "HTTPCore"]),
        .testTarget(name: "TxGenTests", dependencies: ["TxGen"]),
        .testTarget(name: "EndToEndTests", dependencies: ["KafkaBridge"]),
    ]
)
