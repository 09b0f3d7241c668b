internal import COpenSSL

/// A participant's or a log's public key: Ed25519 or ECDSA P-256.
///
/// Equal when their DER SubjectPublicKeyInfo is equal. The key id is the lowercase hex SHA-256
/// of that DER (DESIGN.md, Keys).
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
  let key: EVPKey
  /// The DER SubjectPublicKeyInfo.
  public let spkiDER: [UInt8]
  /// Lowercase hex SHA-256 of `spkiDER` (64 characters).
  public let keyID: String

  public var algorithm: SignatureAlgorithm { key.algorithm }

  /// `spkiDER`: the key's canonical DER when known (else OpenSSL writes it).
  init(key: EVPKey, spkiDER known: [UInt8]? = nil) throws {
    self.key = key
    spkiDER = try known ?? KeyCoding.spkiDER(key.pointer)
    keyID = SHA256.hash(spkiDER).hex
  }

  /// Reads DER SubjectPublicKeyInfo.
  public init(spkiDER der: some Collection<UInt8>) throws {
    let bytes = Array(der)
    if let key = bytes.withUnsafeBytes(FixedFormSPKI.publicKey) {
      try self.init(key: key, spkiDER: bytes)
      return
    }
    let pointer = try bytes.withUnsafeBytes { try KeyCoding.publicKey(fromSPKI: $0) }
    try self.init(key: EVPKey(taking: pointer))
  }

  /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) or the same as DER.
  public init(encoded: some Collection<UInt8>) throws {
    let bytes = Array(encoded)
    let der = bytes.withUnsafeBytes(FixedFormSPKI.der(inPEM:)) ?? bytes
    if let key = der.withUnsafeBytes(FixedFormSPKI.publicKey) {
      try self.init(key: key, spkiDER: der)
      return
    }
    let pointer = try bytes.withUnsafeBytes { raw -> OpaquePointer in
      guard KeyCoding.looksLikePEM(raw) else { return try KeyCoding.publicKey(fromSPKI: raw) }
      let labels = KeyCoding.pemLabels(raw)
      guard labels.contains("PUBLIC KEY") else {
        if labels.contains(where: { $0.hasSuffix("PRIVATE KEY") }) {
          throw CryptoError(.keyMalformed, "this is a private key; give the public key (PEM \"PUBLIC KEY\")")
        }
        throw CryptoError(.keyMalformed, "no PEM \"PUBLIC KEY\" block (found: \(labels.joined(separator: ", ")))")
      }
      return try KeyCoding.withReadBIO(raw) { bio in
        guard let pkey = PEM_read_bio_PUBKEY(bio, nil, KeyCoding.passphraseCallback, nil) else {
          throw OpenSSLErrorQueue.error(.keyMalformed, "the PEM public key is damaged or truncated")
        }
        return pkey
      }
    }
    try self.init(key: EVPKey(taking: pointer))
  }

  /// Reads a PEM public key from text.
  public init(pem: String) throws {
    try self.init(encoded: Array(pem.utf8))
  }

  /// An Ed25519 public key from its 32 raw bytes (RFC 8032 encoding).
  public init(ed25519Raw raw: some Collection<UInt8>) throws {
    let bytes = Array(raw)
    guard bytes.count == 32 else {
      throw CryptoError(.keyMalformed, "an Ed25519 public key is 32 bytes, not \(bytes.count)")
    }
    guard let pointer = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, bytes, bytes.count) else {
      throw OpenSSLErrorQueue.error(.keyMalformed, "OpenSSL refused the Ed25519 public key")
    }
    try self.init(key: EVPKey(taking: pointer))
  }

  /// The 32 raw bytes of an Ed25519 key; nil for ECDSA.
  public var ed25519Raw: [UInt8]? {
    guard algorithm == .ed25519 else { return nil }
    var raw = [UInt8](repeating: 0, count: 32)
    var length = raw.count
    guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1, length == 32 else {
      OpenSSLErrorQueue.clear()
      return nil
    }
    return raw
  }

  /// PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), ending in a newline.
  public var pem: String {
    let body = Base64.encode(spkiDER)
    var lines = ["-----BEGIN PUBLIC KEY-----"]
    var start = body.startIndex
    while start < body.endIndex {
      let end = body.index(start, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
      lines.append(String(body[start..<end]))
      start = end
    }
    lines.append("-----END PUBLIC KEY-----")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Verifies a signature over `message` (Ed25519: raw 64 bytes over the message; ECDSA: DER over
  /// SHA-256 of the message). Any malformed signature is simply invalid.
  public func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
    key.isValidSignature(signature, for: message)
  }

  public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
    let signatureBytes = Array(signature)
    let messageBytes = Array(message)
    return signatureBytes.withUnsafeBytes { s in messageBytes.withUnsafeBytes { m in key.isValidSignature(s, for: m) } }
  }

  public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.spkiDER == rhs.spkiDER }
  public func hash(into hasher: inout Hasher) { hasher.combine(spkiDER) }

  public var description: String { "PublicKey(\(algorithm), keyid \(keyID))" }
}
