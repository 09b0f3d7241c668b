// swift-tools-version: 6.2
import PackageDescription

let package = Package(
  name: "Loam",
  products: [
    .library(name: "LoamCrypto", targets: ["LoamCrypto"]),
    .library(name: "LoamCore", targets: ["LoamCore"]),
    .executable(name: "loam", targets: ["loam"]),
    .executable(name: "loam-bench", targets: ["loam-bench"]),
    .executable(name: "loam-gen", targets: ["loam-gen"]),
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
    // SQLite (libsqlite3-dev) for the persisted derived state; only LoamStore imports it.
    .systemLibrary(
      name: "CSQLite",
      pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    .target(name: "LoamCrypto", dependencies: ["COpenSSL"]),
    // Pure model: statements, entries, Merkle math, the state machine. No file or network I/O.
    .target(name: "LoamCore", dependencies: ["LoamCrypto"]),
    // Verification of ledgers, checkpoints and (later) proofs and bundles. Pure: no writer code, no I/O.
    .target(name: "LoamVerify", dependencies: ["LoamCore", "LoamCrypto"]),
    // The on-disk ledger: append, locking, crash recovery, derived state.
    .target(name: "LoamStore", dependencies: ["LoamCore", "LoamVerify", "LoamCrypto", "CSQLite"]),
    // GS1 EPCIS 2.0: event hash IDs, document validation, the mapping to and from statements. Pure, no I/O.
    .target(name: "LoamEPCIS", dependencies: ["LoamCore", "LoamCrypto"]),
    // The demo supply chain that `loam demo` writes.
    .target(name: "LoamDemo", dependencies: ["LoamCore", "LoamCrypto", "LoamStore"]),
    .executableTarget(
      name: "loam",
      dependencies: [
        "LoamCrypto", "LoamCore", "LoamVerify", "LoamStore", "LoamDemo", "LoamEPCIS",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // Release builds link the Swift runtime and libraries statically: resolving their symbols at
      // every start was a good part of a typed append's ~30 ms (`loam --version`: 12.8 ms dynamic,
      // 8.1 ms static, on 2026-12-02).
      // The process allocates with jemalloc (libjemalloc-dev), not glibc's malloc: a replay frees each
      // batch on another thread while the applying thread allocates, and glibc's arena lock made them
      // wait for each other (40,000 futex waits in a 1M-entry reindex; with jemalloc 800, and the
      // reindex ~20% faster). Only the executable links it: the libraries leave the choice to their users.
      linkerSettings: [
        .linkedLibrary("jemalloc", .when(platforms: [.linux])),
        .unsafeFlags(
          ["-static-stdlib", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections"],
          .when(configuration: .release)),
      ]
    ),
    .executableTarget(name: "loam-bench", dependencies: ["LoamCrypto"], path: "Tools/bench"),
    .executableTarget(
      name: "loam-bench-proof", dependencies: ["LoamStore", "LoamCore", "LoamCrypto"], path: "Tools/bench-proof"),
    .executableTarget(name: "loam-bench-parse", dependencies: ["LoamCore", "LoamCrypto"], path: "Tools/bench-parse"),
    .executableTarget(name: "loam-gen", dependencies: ["LoamCore", "LoamCrypto"], path: "Tools/gen"),
    // libFuzzer harnesses (Tools/fuzz.sh); built normally they replay files given as arguments.
    .executableTarget(name: "fuzz-json", dependencies: ["LoamCore", "LoamCrypto"], path: "Tools/fuzz/json"),
    .executableTarget(name: "fuzz-keys", dependencies: ["LoamCrypto"], path: "Tools/fuzz/keys"),
    .executableTarget(name: "fuzz-notes", dependencies: ["LoamCrypto"], path: "Tools/fuzz/notes"),
    .executableTarget(name: "fuzz-epcis", dependencies: ["LoamCrypto", "LoamEPCIS"], path: "Tools/fuzz/epcis"),
    .executableTarget(
      name: "fuzz-bundles", dependencies: ["LoamCore", "LoamCrypto", "LoamVerify"], path: "Tools/fuzz/bundles"),
    .testTarget(name: "LoamCryptoTests", dependencies: ["LoamCrypto"]),
    .testTarget(name: "LoamCoreTests", dependencies: ["LoamCore"]),
    .testTarget(name: "LoamStoreTests", dependencies: ["LoamStore", "LoamDemo", "LoamCore", "LoamCrypto", "LoamVerify"]),
    .testTarget(name: "LoamEPCISTests", dependencies: ["LoamEPCIS", "LoamCore", "LoamCrypto"]),
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
