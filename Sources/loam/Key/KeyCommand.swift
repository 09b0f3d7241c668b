import ArgumentParser
import LoamCrypto

struct KeyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "key",
    abstract: "Create and inspect participant and log keys.",
    discussion: """
      Private keys are PEM PKCS#8 files with mode 0600, optionally encrypted with a passphrase taken from an environment variable. Keep them outside the ledger directory.
      """,
    subcommands: [KeyNew.self, KeyShow.self]
  )
}

/// The algorithms as a user names them.
enum AlgorithmOption: String, ExpressibleByArgument, CaseIterable {
  case ed25519
  case p256

  var algorithm: SignatureAlgorithm {
    switch self {
    case .ed25519: .ed25519
    case .p256: .ecdsaP256SHA256
    }
  }
}

/// What `key new` and `key show` print about a public key.
struct KeyReport {
  var publicKey: PublicKey
  var kind: String
  var path: String?
  var vkey: String?

  var json: JSONValue {
    var object = JSONObject()
    object["algorithm"] = .string(publicKey.algorithm.rawValue)
    object["keyid"] = .string(publicKey.keyID)
    object["kind"] = .string(kind)
    object["publicKey"] = .string(publicKey.pem)
    if let path { object["path"] = .string(path) }
    if let vkey { object["vkey"] = .string(vkey) }
    return .object(object)
  }

  var text: String {
    var lines = [
      "algorithm: \(publicKey.algorithm.rawValue)",
      "key id:    \(publicKey.keyID)",
    ]
    if let vkey { lines.append("vkey:      \(vkey)") }
    return lines.joined(separator: "\n") + "\n" + publicKey.pem
  }
}
