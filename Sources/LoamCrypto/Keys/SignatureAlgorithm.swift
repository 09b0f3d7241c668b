/// The signature algorithms Loam accepts (DESIGN.md, Keys).
public enum SignatureAlgorithm: String, Hashable, Sendable, CaseIterable, Codable, CustomStringConvertible {
  /// Ed25519 (RFC 8032): the default, and always the log key's algorithm.
  case ed25519 = "ed25519"
  /// ECDSA over NIST P-256 with SHA-256, signatures in ASN.1 DER: for HSMs, smart cards and
  /// phone secure enclaves that support only P-256.
  case ecdsaP256SHA256 = "ecdsa-p256-sha256"

  public var description: String { rawValue }

  /// The longest signature this algorithm produces.
  public var maximumSignatureLength: Int {
    switch self {
    case .ed25519: 64
    case .ecdsaP256SHA256: 72
    }
  }
}
