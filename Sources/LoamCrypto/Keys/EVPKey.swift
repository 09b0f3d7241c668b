internal import COpenSSL
import Synchronization

/// Owns one OpenSSL `EVP_PKEY` and a small pool of signing and verifying contexts for it.
///
/// `@unchecked Sendable` is safe: the `EVP_PKEY` is never mutated after init, and OpenSSL allows
/// a read-only key to be shared by threads (`man 7 openssl-threads`). Contexts are not
/// shareable, so each call checks one out of a pool behind a mutex and returns it after use.
/// Creating a context costs a provider lookup; a pooled one is reused (see "Context pool").
final class EVPKey: @unchecked Sendable {
  let pointer: OpaquePointer
  let algorithm: SignatureAlgorithm
  private let verifyPool = Mutex<[PooledContext]>([])
  private let signPool = Mutex<[PooledContext]>([])
  private static let poolLimit = 8

  /// Takes ownership of `pointer` (freed on failure too) after checking that Loam accepts it.
  init(taking pointer: OpaquePointer) throws {
    do {
      algorithm = try Self.algorithm(of: pointer)
    } catch {
      EVP_PKEY_free(pointer)
      throw error
    }
    self.pointer = pointer
  }

  deinit {
    for context in verifyPool.withLock({ $0 }) + signPool.withLock({ $0 }) { free(context.pointer) }
    EVP_PKEY_free(pointer)
  }

  private static func algorithm(of pointer: OpaquePointer) throws -> SignatureAlgorithm {
    switch EVP_PKEY_get_base_id(pointer) {
    case EVP_PKEY_ED25519:
      return .ed25519
    case EVP_PKEY_EC:
      var name = [CChar](repeating: 0, count: 80)
      var length = 0
      guard EVP_PKEY_get_group_name(pointer, &name, name.count, &length) == 1 else {
        OpenSSLErrorQueue.clear()
        throw CryptoError(
          .keyUnsupported, "the EC key uses explicit curve parameters; only the named curve P-256 (prime256v1) is accepted")
      }
      let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      guard group == "prime256v1" || group == "P-256" else {
        throw CryptoError(.keyUnsupported, "the EC key is on curve \(group); only P-256 (prime256v1) is accepted")
      }
      return .ecdsaP256SHA256
    default:
      let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "unknown"
      throw CryptoError(.keyUnsupported, "the key's algorithm is \(name); only ed25519 and ecdsa-p256-sha256 are accepted")
    }
  }

  // MARK: Verify

  /// True only when OpenSSL says the signature is valid (== 1).
  func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
    guard signature.count > 0, signature.count <= algorithm.maximumSignatureLength,
      let context = checkOut(verifyPool, signing: false)
    else {
      return false
    }
    let sig = signature.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let status: Int32
    switch algorithm {
    case .ed25519:
      status = EVP_DigestVerify(context, sig, signature.count, bytes(message), message.count)
    case .ecdsaP256SHA256:
      var digest = SHA256.hash(message).bytes
      status = EVP_PKEY_verify(context, sig, signature.count, &digest, digest.count)
    }
    if status == 1 {
      checkIn(context, verifyPool)
      return true
    }
    // An expected failure: forget the error and do not reuse a context in an unknown state.
    OpenSSLErrorQueue.clear()
    free(context)
    return false
  }

  // MARK: Sign

  func signature(for message: UnsafeRawBufferPointer) throws -> [UInt8] {
    guard let context = checkOut(signPool, signing: true) else {
      throw OpenSSLErrorQueue.error(.openSSL, "could not prepare a \(algorithm) signing context")
    }
    var signature = [UInt8](repeating: 0, count: algorithm.maximumSignatureLength)
    var length = signature.count
    let status: Int32
    switch algorithm {
    case .ed25519:
      status = EVP_DigestSign(context, &signature, &length, bytes(message), message.count)
    case .ecdsaP256SHA256:
      var digest = SHA256.hash(message).bytes
      status = EVP_PKEY_sign(context, &signature, &length, &digest, digest.count)
    }
    guard status == 1 else {
      free(context)
      throw OpenSSLErrorQueue.error(.openSSL, "\(algorithm) signing failed")
    }
    checkIn(context, signPool)
    // ECDSA DER signatures vary in length (up to 72 bytes).
    signature.removeSubrange(length...)
    return signature
  }

  private func bytes(_ message: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
    message.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? emptyMessage
  }

  // MARK: Context pool
  //
  // Ed25519 pools `EVP_MD_CTX`s for the one-shot EVP_DigestSign/Verify, re-armed per use with the
  // cheap re-init. ECDSA pools `EVP_PKEY_CTX`s and signs the SHA-256 digest that Loam computes
  // with its own fetched digest (what `openssl speed` measures): the EVP_DigestSign path would
  // fetch SHA-256 again on every re-init.

  private func checkOut(_ pool: borrowing Mutex<[PooledContext]>, signing: Bool) -> OpaquePointer? {
    if let pooled = pool.withLock({ $0.popLast() })?.pointer {
      switch algorithm {
      case .ecdsaP256SHA256:
        return pooled
      case .ed25519:
        let status =
          signing
          ? EVP_DigestSignInit(pooled, nil, nil, nil, nil)
          : EVP_DigestVerifyInit(pooled, nil, nil, nil, nil)
        if status == 1 { return pooled }
        OpenSSLErrorQueue.clear()
        free(pooled)
      }
    }
    switch algorithm {
    case .ed25519:
      guard let context = EVP_MD_CTX_new() else { return nil }
      let status =
        signing
        ? EVP_DigestSignInit(context, nil, nil, nil, pointer)
        : EVP_DigestVerifyInit(context, nil, nil, nil, pointer)
      guard status == 1 else {
        OpenSSLErrorQueue.clear()
        EVP_MD_CTX_free(context)
        return nil
      }
      return context
    case .ecdsaP256SHA256:
      guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return nil }
      let status = signing ? EVP_PKEY_sign_init(context) : EVP_PKEY_verify_init(context)
      guard status == 1, EVP_PKEY_CTX_set_signature_md(context, fetchedSHA256.pointer) == 1 else {
        OpenSSLErrorQueue.clear()
        EVP_PKEY_CTX_free(context)
        return nil
      }
      return context
    }
  }

  private func checkIn(_ context: OpaquePointer, _ pool: borrowing Mutex<[PooledContext]>) {
    let kept = pool.withLock { contexts -> Bool in
      guard contexts.count < Self.poolLimit else { return false }
      contexts.append(PooledContext(pointer: context))
      return true
    }
    if !kept { free(context) }
  }

  private func free(_ context: OpaquePointer) {
    switch algorithm {
    case .ed25519: EVP_MD_CTX_free(context)
    case .ecdsaP256SHA256: EVP_PKEY_CTX_free(context)
    }
  }
}

/// OpenSSL wants a non-null pointer even for an empty message. Never written to.
private nonisolated(unsafe) let emptyMessage: UnsafePointer<UInt8> = {
  let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
  pointer.initialize(to: 0)
  return UnsafePointer(pointer)
}()

/// An `EVP_MD_CTX` waiting in a pool. Only one thread holds it at a time (checked out under
/// the pool's mutex), which is what OpenSSL requires of contexts.
struct PooledContext: @unchecked Sendable {
  let pointer: OpaquePointer
}
