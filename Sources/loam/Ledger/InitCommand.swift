import ArgumentParser
import Glibc
import LoamCore
import LoamCrypto
import LoamStore

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a ledger: write its genesis entry and first checkpoint.",
    discussion: """
      The genesis names the log (its origin), the log key that signs checkpoints, and the first admin. Keys given by path are used when the file exists; otherwise Loam creates them there (Ed25519, mode 0600) and says so. Keys never go inside the ledger directory.

      Example: loam init --origin example.org/loam/coop-2026 --admin coop --admin-key keys/coop.pem --log-key keys/log.pem
      """
  )

  @OptionGroup var ledger: LedgerOption

  @Option(help: "The log's name, e.g. example.org/loam/coop-2026 (the checkpoint origin).")
  var origin: String

  @Option(help: "The first admin's participant id.")
  var admin: String

  @Option(help: "The admin's display name (default: the id).")
  var adminName: String?

  @Option(help: "The admin's private key file (created if it does not exist).")
  var adminKey: String

  @Option(help: "The log's Ed25519 private key file (created if it does not exist; default: <ledger>.log-key.pem).")
  var logKey: String?

  @Option(help: "Environment variable holding a passphrase for keys read or created.")
  var passphraseEnv: String?

  @Flag(help: "Print the result as JSON.")
  var json = false

  func validate() throws {
    guard NoteSignerName.isValid(origin) else { throw ValidationError("--origin must be non-empty, without spaces or '+'") }
    guard Identifier.isValid(admin) else {
      throw ValidationError("--admin must be 1–256 printable characters without whitespace")
    }
  }

  func run() throws {
    let directory = ledger.resolved
    let logKeyPath = logKey ?? (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + ".log-key.pem"
    for path in [adminKey, logKeyPath] where isInside(path, directory) {
      throw CLIError("\(path) is inside the ledger directory \(directory); keep private keys elsewhere")
    }
    if FileIO.isNonEmptyDirectoryOrFile(directory) {
      throw CLIError("\(directory) already exists and is not empty; choose another --ledger for a new ledger")
    }
    let passphrase = try Passphrase.fromEnvironment(passphraseEnv)
    let adminPrivate = try loadOrCreate(adminKey, algorithm: .ed25519, passphrase: passphrase, what: "admin key")
    let logPrivate = try loadOrCreate(logKeyPath, algorithm: .ed25519, passphrase: passphrase, what: "log key")
    guard logPrivate.algorithm == .ed25519 else {
      throw CLIError("\(logKeyPath) is \(logPrivate.algorithm); the log key must be Ed25519")
    }
    let signer = try NoteSigner(name: origin, privateKey: logPrivate)
    let now = Clock.now()
    let statement: JSONValue = [
      "kind": "genesis", "actor": .string(admin), "time": .string(now.description), "origin": .string(origin),
      "logKey": .string(signer.verifier.vkey),
      "participants": [
        [
          "id": .string(admin), "name": .string(adminName ?? admin), "roles": ["admin"],
          "keys": [.string(adminPrivate.publicKey.pem)],
        ]
      ],
    ]
    let envelope = try Signing.sign(statement: statement, keys: [adminPrivate], source: "the genesis")
    let (_, entry) = try Ledger.create(directory: directory, genesis: envelope, logSigner: signer, now: now)
    Output.note("Created ledger \(directory) for \(origin) with admin \(admin).")
    if json {
      try Output.json([
        "ledger": .string(directory), "origin": .string(origin), "logKey": .string(signer.verifier.vkey),
        "genesis": .string(entry.id.hex),
      ])
    } else {
      print("ledger:  \(directory)")
      print("origin:  \(origin)")
      print("log key: \(signer.verifier.vkey)")
      print("genesis: entry 0 \(entry.id.hex)")
    }
  }

  private func loadOrCreate(_ path: String, algorithm: SignatureAlgorithm, passphrase: SecureBytes?, what: String) throws
    -> PrivateKey
  {
    if access(path, F_OK) == 0 {
      return try passphrase.map { try KeyFile.readPrivateKey(path, passphrase: $0) }
        ?? Passphrase.readPrivateKey(path, environment: nil)
    }
    let key = try PrivateKey.generate(algorithm)
    try KeyFile.write(key, to: path, passphrase: passphrase)
    Output.note("Created \(what) \(path) (\(algorithm), mode 0600\(passphrase == nil ? ", unencrypted" : ", encrypted")).")
    return key
  }

  private func isInside(_ path: String, _ directory: String) -> Bool {
    let file = absolute(path)
    let dir = absolute(directory)
    return file.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
  }

  private func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var parts: [Substring] = []
    for part in (cwd + "/" + path).split(separator: "/") {
      if part == "." { continue }
      if part == ".." {
        _ = parts.popLast()
      } else {
        parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }
}

enum NoteSignerName {
  static func isValid(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
  }
}

enum FileIO {
  /// Writes a new file (never over an existing one).
  static func writeNew(_ path: String, _ bytes: [UInt8]) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CLIError(
        errno == EEXIST
          ? "\(path) already exists; choose another -o" : "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      guard written > 0 else { throw CLIError("writing \(path) failed: \(String(cString: strerror(errno)))") }
      offset += written
    }
  }

  static func isNonEmptyDirectoryOrFile(_ path: String) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    guard status.st_mode & S_IFMT == S_IFDIR else { return true }
    guard let dir = opendir(path) else { return true }
    defer { closedir(dir) }
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
      if name != "." && name != ".." { return true }
    }
    return false
  }
}
