import ArgumentParser
import LoamCrypto

struct KeyNew: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "new",
    abstract: "Generate a private key and print its public key and key id.",
    discussion: """
      Writes the private key as PEM PKCS#8 to a new file with mode 0600 (never overwriting), encrypted when --passphrase-env names a variable holding the passphrase or --ask-passphrase asks for it twice on the terminal (echo off). Commands that read an encrypted key without --passphrase-env ask on the terminal the same way. Prints the key id (hex SHA-256 of the DER SubjectPublicKeyInfo) and the public key PEM on stdout.

      Example: loam key new --out ~/.loam/grower-a.pem
      """
  )

  @Option(name: .customLong("alg"), help: "Algorithm: ed25519 (default) or p256 (ECDSA P-256, for HSMs and secure enclaves).")
  var algorithm: AlgorithmOption = .ed25519

  @Option(name: .customLong("out"), help: "Where to write the private key (must not exist).")
  var out: String

  @Option(help: "Name of an environment variable holding a passphrase to encrypt the key with.")
  var passphraseEnv: String?

  @Flag(help: "Ask for the passphrase on the terminal, twice, without echo.")
  var askPassphrase = false

  @Flag(help: "Print the result as JSON.")
  var json = false

  func validate() throws {
    guard !out.isEmpty else { throw ValidationError("--out needs a file path") }
    if askPassphrase && passphraseEnv != nil { throw ValidationError("use either --ask-passphrase or --passphrase-env") }
  }

  func run() throws {
    if askPassphrase { try KeyFile.requireAbsent(out) }
    let passphrase = askPassphrase ? try Passphrase.promptNew() : try Passphrase.fromEnvironment(passphraseEnv)
    let key = try PrivateKey.generate(algorithm.algorithm)
    try KeyFile.write(key, to: out, passphrase: passphrase)
    Output.note("Wrote \(key.algorithm) private key to \(out) (mode 0600, \(passphrase == nil ? "unencrypted" : "encrypted")).")
    let report = KeyReport(publicKey: key.publicKey, kind: "private", path: out)
    if json {
      try Output.json(report.json)
    } else {
      print(report.text, terminator: "")
    }
  }
}
