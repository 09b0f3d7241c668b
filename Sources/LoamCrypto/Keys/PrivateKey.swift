internal import COpenSSL

/// A participant's signing key: Ed25519 or ECDSA P-256.
///
/// The secret lives inside OpenSSL's `EVP_PKEY`, which clears it when freed; exported PEM comes
/// back as `SecureBytes`. `description` never shows secret material.
public struct PrivateKey: Sendable, CustomStringConvertible {
  let key: EVPKey
  /// The matching public key.
  public let publicKey: PublicKey

  public var algorithm: SignatureAlgorithm { key.algorithm }

  init(key: EVPKey) throws {
    self.key = key
    let der = try KeyCoding.spkiDER(key.pointer)
    publicKey = try PublicKey(spkiDER: der)
  }

  /// A new random key.
  public static func generate(_ algorithm: SignatureAlgorithm = .ed25519) throws -> PrivateKey {
    let typeName = algorithm == .ed25519 ? "ED25519" : "EC"
    guard let context = EVP_PKEY_CTX_new_from_name(nil, typeName, nil) else {
      throw OpenSSLErrorQueue.error(.openSSL, "OpenSSL has no \(typeName) key generator")
    }
    defer { EVP_PKEY_CTX_free(context) }
    guard EVP_PKEY_keygen_init(context) == 1,
      algorithm == .ed25519 || EVP_PKEY_CTX_set_group_name(context, "P-256") == 1
    else {
      throw OpenSSLErrorQueue.error(.openSSL, "could not set up \(algorithm) key generation")
    }
    var pointer: OpaquePointer? = nil
    guard EVP_PKEY_generate(context, &pointer) == 1, let pointer else {
      throw OpenSSLErrorQueue.error(.openSSL, "\(algorithm) key generation failed")
    }
    return try PrivateKey(key: EVPKey(taking: pointer))
  }

  /// An Ed25519 key from its 32-byte seed (RFC 8032 secret key).
  public init(ed25519Seed seed: SecureBytes) throws {
    guard seed.count == 32 else {
      throw CryptoError(.keyMalformed, "an Ed25519 seed is 32 bytes, not \(seed.count)")
    }
    let pointer = seed.withUnsafeBytes { raw in
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
    }
    guard let pointer else { throw OpenSSLErrorQueue.error(.keyMalformed, "OpenSSL refused the Ed25519 seed") }
    try self.init(key: EVPKey(taking: pointer))
  }

  /// Reads a private key: PEM `PRIVATE KEY` (PKCS#8), `ENCRYPTED PRIVATE KEY` (PKCS#8 with a
  /// passphrase), `EC PRIVATE KEY` (SEC1, as `openssl ecparam -genkey` writes it, with or
  /// without its `EC PARAMETERS` block), or unencrypted DER of those.
  public init(encoded: SecureBytes, passphrase: SecureBytes? = nil) throws {
    let pointer = try encoded.withUnsafeBytes { raw -> OpaquePointer in
      guard KeyCoding.looksLikePEM(raw) else {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else {
          throw CryptoError(.keyMalformed, "the key file is empty")
        }
        var cursor: UnsafePointer<UInt8>? = base
        guard let pkey = d2i_AutoPrivateKey(nil, &cursor, raw.count) else {
          throw OpenSSLErrorQueue.error(.keyMalformed, "not a key: neither PEM nor a DER private key")
        }
        return pkey
      }
      let labels = KeyCoding.pemLabels(raw)
      let encrypted = labels.contains("ENCRYPTED PRIVATE KEY")
      guard encrypted || labels.contains("PRIVATE KEY") || labels.contains("EC PRIVATE KEY") else {
        if labels.contains("PUBLIC KEY") {
          throw CryptoError(.notPrivate, "this is a public key; a private key is needed to sign")
        }
        throw CryptoError(.keyMalformed, "no PEM private key block (found: \(labels.joined(separator: ", ")))")
      }
      if encrypted && passphrase == nil {
        throw CryptoError(.passphraseRequired, "the private key is encrypted; a passphrase is needed")
      }
      return try KeyCoding.withReadBIO(raw) { bio in
        let pkey = KeyCoding.withPassphrase(passphrase) { userdata in
          PEM_read_bio_PrivateKey(bio, nil, KeyCoding.passphraseCallback, userdata)
        }
        guard let pkey else {
          if encrypted {
            OpenSSLErrorQueue.clear()
            throw CryptoError(.wrongPassphrase, "the passphrase does not decrypt the private key (or the file is damaged)")
          }
          throw OpenSSLErrorQueue.error(.keyMalformed, "the PEM private key is damaged or truncated")
        }
        return pkey
      }
    }
    try self.init(key: EVPKey(taking: pointer))
  }

  /// PEM PKCS#8: `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` (PBES2, PBKDF2-HMAC-SHA256,
  /// AES-256-CBC) when a passphrase is given.
  public func pkcs8PEM(passphrase: SecureBytes? = nil) throws -> SecureBytes {
    if let passphrase, passphrase.isEmpty {
      throw CryptoError(.malformedInput, "an empty passphrase would not protect the key")
    }
    return try KeyCoding.writtenBytes(secure: true) { bio in
      guard let passphrase else {
        return PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil)
      }
      return passphrase.withUnsafeBytes { raw in
        PEM_write_bio_PKCS8PrivateKey(
          bio, key.pointer, EVP_aes_256_cbc(), raw.baseAddress?.assumingMemoryBound(to: CChar.self),
          Int32(raw.count), nil, nil)
      }
    }
  }

  /// Signs `message`: Ed25519 returns 64 raw bytes; ECDSA returns DER over SHA-256(message).
  public func signature(for message: UnsafeRawBufferPointer) throws -> [UInt8] {
    try key.signature(for: message)
  }

  public func signature(for message: some Collection<UInt8>) throws -> [UInt8] {
    try Array(message).withUnsafeBytes { try key.signature(for: $0) }
  }

  public var description: String { "PrivateKey(\(algorithm), keyid \(publicKey.keyID))" }
}
