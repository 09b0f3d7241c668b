/// A key file's contents when the caller accepts either half: a private key (from which the
/// public key follows) or a public key alone.
public enum AnyKey: Sendable {
  case privateKey(PrivateKey)
  case publicKey(PublicKey)

  /// Decodes PEM or DER: a `PUBLIC KEY` PEM or DER SubjectPublicKeyInfo gives `.publicKey`,
  /// anything private `.privateKey` (an encrypted one needs `passphrase`).
  public init(encoded: SecureBytes, passphrase: SecureBytes? = nil) throws {
    let labels = encoded.withUnsafeBytes { KeyCoding.pemLabels($0) }
    if labels.isEmpty, let key = try? encoded.withUnsafeBytes({ try PublicKey(spkiDER: Array($0)) }) {
      self = .publicKey(key)
    } else if labels.contains("PUBLIC KEY") && !labels.contains(where: { $0.hasSuffix("PRIVATE KEY") }) {
      self = .publicKey(try encoded.withUnsafeBytes { try PublicKey(encoded: Array($0)) })
    } else {
      self = .privateKey(try PrivateKey(encoded: encoded, passphrase: passphrase))
    }
  }

  public var publicKey: PublicKey {
    switch self {
    case .privateKey(let key): key.publicKey
    case .publicKey(let key): key
    }
  }
}
