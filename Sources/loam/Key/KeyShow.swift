import ArgumentParser
import LoamCrypto

struct KeyShow: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print a key's algorithm, key id and public key.",
    discussion: """
      Reads a private key (PEM PKCS#8, encrypted PKCS#8, SEC1 EC PRIVATE KEY, or DER) or a public key (PEM or DER SubjectPublicKeyInfo). Never prints private material.

      With --name, an Ed25519 key is also shown as a C2SP signed-note verifier key (vkey) under that name: the form in which a log's or a witness's public key is published.
      """
  )

  @Argument(help: "The key file.")
  var file: String

  @Option(help: "Key name for the C2SP verifier key (for a log key, its origin, e.g. example.org/loam/coop-2026).")
  var name: String?

  @Flag(help: "With --name: show the witness cosignature (tlog-cosignature v1) verifier key instead.")
  var cosignature = false

  @Option(help: "Name of an environment variable holding the passphrase of an encrypted key.")
  var passphraseEnv: String?

  @Flag(help: "Print the result as JSON.")
  var json = false

  func validate() throws {
    if cosignature && name == nil { throw ValidationError("--cosignature needs --name") }
  }

  func run() throws {
    let key = try Passphrase.readAnyKey(file, environment: passphraseEnv)
    var vkey: String? = nil
    if let name {
      guard key.publicKey.algorithm == .ed25519 else {
        throw CLIError("\(file) is an \(key.publicKey.algorithm) key; C2SP verifier keys for logs and witnesses are Ed25519")
      }
      vkey = try NoteVerifier(name: name, publicKey: key.publicKey, type: cosignature ? .cosignatureV1 : .ed25519).vkey
    }
    let kind: String
    switch key {
    case .privateKey: kind = "private"
    case .publicKey: kind = "public"
    }
    let report = KeyReport(publicKey: key.publicKey, kind: kind, path: file, vkey: vkey)
    if json {
      try Output.json(report.json)
    } else {
      print(report.text, terminator: "")
    }
  }
}
