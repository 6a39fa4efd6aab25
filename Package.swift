// swift-tools-version:6.0
import PackageDescription

// Layers, inner to outer (an inner target never imports an outer one):
//   FirstaskClassifier (pure) → FirstaskDesk (pure domain + ports)
//   → adapters: FirstaskCurl (libcurl), FirstaskSQLite (GRDB), FirstaskChannels (http-inbox)
//   → FirstaskApp (config, wiring, services, admin API, commands) → firstask (executable)
let package = Package(
    name: "firstask",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "firstask", targets: ["firstask"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "FirstaskClassifier",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FirstaskDesk",
            dependencies: ["FirstaskClassifier"]
        ),
        .target(
            name: "FirstaskCurl",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "FirstaskSQLite",
            dependencies: ["FirstaskDesk", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "FirstaskChannels",
            dependencies: [
                "FirstaskDesk", "FirstaskCurl", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FirstaskApp",
            dependencies: [
                "FirstaskClassifier", "FirstaskDesk", "FirstaskCurl", "FirstaskSQLite", "FirstaskChannels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "firstask",
            dependencies: ["FirstaskApp"]
        ),
        .target(
            name: "FirstaskTesting",
            dependencies: [
                "FirstaskDesk", "FirstaskApp", "FirstaskCurl",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FirstaskTests",
            dependencies: [
                "FirstaskClassifier", "FirstaskDesk", "FirstaskCurl", "FirstaskSQLite", "FirstaskChannels",
                "FirstaskApp", "FirstaskTesting",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
