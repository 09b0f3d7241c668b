import ArgumentParser
import Glibc
import LoamCore
import LoamCrypto
import LoamStore

/// `--ledger DIR` (environment `LOAM_LEDGER`, default `./ledger`).
struct LedgerOption: ParsableArguments {
  @Option(name: .customLong("ledger"), help: "The ledger directory (default: $LOAM_LEDGER, else ./ledger).")
  var path: String?

  var resolved: String {
    path ?? getenv("LOAM_LEDGER").map { String(cString: $0) } ?? "./ledger"
  }

  func open() throws -> Ledger { try Ledger(directory: resolved) }
}

/// `--log-key KEY` (environment `LOAM_LOG_KEY`): the log's Ed25519 key that signs checkpoints.
struct LogKeyOption: ParsableArguments {
  @Option(name: .customLong("log-key"), help: "The log's private key, which signs checkpoints (default: $LOAM_LOG_KEY).")
  var path: String?

  @Option(name: .customLong("log-key-passphrase-env"), help: "Environment variable holding the log key's passphrase.")
  var passphraseEnv: String?

  func signer(origin: String) throws -> NoteSigner {
    guard let path = path ?? getenv("LOAM_LOG_KEY").map({ String(cString: $0) }) else {
      throw CLIError("the log key is needed to sign the checkpoint: pass --log-key FILE or set LOAM_LOG_KEY")
    }
    let key = try Passphrase.readPrivateKey(path, environment: passphraseEnv)
    guard key.algorithm == .ed25519 else { throw CLIError("\(path) is an \(key.algorithm) key; the log key must be Ed25519") }
    return try NoteSigner(name: origin, privateKey: key)
  }
}

/// `--key KEY` (repeatable): the signer's private keys.
struct SigningKeysOption: ParsableArguments {
  @Option(name: .customLong("key"), help: "A private key to sign with (repeat to co-sign).")
  var paths: [String] = []

  @Option(name: .customLong("passphrase-env"), help: "Environment variable holding the passphrase of encrypted signing keys.")
  var passphraseEnv: String?

  func load() throws -> [PrivateKey] {
    guard !paths.isEmpty else { throw CLIError("a signing key is needed: pass --key FILE") }
    return try paths.map { try Passphrase.readPrivateKey($0, environment: passphraseEnv) }
  }
}

enum Clock {
  static func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }

  /// Now, to the second.
  static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(seconds: Int64(spec.tv_sec))
  }
}

/// Reads a file argument, or stdin for `-`.
enum InputFile {
  static let maximumSize = 64 << 20

  /// The bytes of `path`; reading stops with an error once more than `maximum` bytes came.
  static func read(_ path: String, maximum: Int = maximumSize, what: String = "") throws -> [UInt8] {
    let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw CLIError(errno == ENOENT ? "\(path) does not exist" : "cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { if path != "-" { close(descriptor) } }
    var status = stat()
    if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw CLIError("\(path) is a directory, not a file")
    }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))")
      }
      if count == 0 { break }
      out += buffer[0..<count]
      if out.count > maximum {
        throw CLIError("\(name(path)) is larger than \(maximum >> 20) MiB\(what.isEmpty ? "" : ", the most \(what) may be")")
      }
    }
    return out
  }

  static func name(_ path: String) -> String { path == "-" ? "standard input" : path }
}
