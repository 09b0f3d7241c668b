// swift-tools-version: 6.2
import PackageDescription

let package = Package(
  name: "Loam",
  products: [
    .library(name: "LoamCrypto", targets: ["LoamCrypto"]),
    .executable(name: "loam", targets: ["loam"]),
    .executable(name: "loam-bench", targets: ["loam-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // The one door to OpenSSL (libssl-dev). Only LoamCrypto imports it.
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "openssl",
      providers: [.apt(["libssl-dev"])]
    ),
    .target(name: "LoamCrypto", dependencies: ["COpenSSL"]),
    .executableTarget(
      name: "loam",
      dependencies: [
        "LoamCrypto",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "loam-bench", dependencies: ["LoamCrypto"], path: "Tools/bench"),
    .testTarget(name: "LoamCryptoTests", dependencies: ["LoamCrypto"]),
    .testTarget(name: "LoamCLITests", dependencies: ["LoamCrypto"]),
  ]
)

// Shared settings for every Swift target: Swift 6 mode (strict concurrency) comes with the
// tools version; warnings are errors; upcoming features that make code say what it means.
for target in package.targets where target.type != .system {
  target.swiftSettings =
    (target.swiftSettings ?? []) + [
      .treatAllWarnings(as: .error),
      .enableUpcomingFeature("ExistentialAny"),
      .enableUpcomingFeature("MemberImportVisibility"),
      .enableUpcomingFeature("InternalImportsByDefault"),
    ]
}
