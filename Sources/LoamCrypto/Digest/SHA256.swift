internal import COpenSSL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// SHA-256 over OpenSSL.
///
/// The digest method is fetched once (`EVP_MD_fetch`) and every thread keeps one reusable
/// `EVP_MD_CTX`: OpenSSL 3's implicit `EVP_sha256()` lookup per call halves the speed and
/// contends on a lock across cores (TOOLCHAIN.md).
public enum SHA256 {
  /// One-shot hash of `bytes`.
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
    withThreadContext { context in
      update(context, bytes)
    }
  }

  /// One-shot hash of any byte collection.
  public static func hash(_ bytes: some Collection<UInt8>) -> SHA256Digest {
    if let digest = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
      return digest
    }
    return Array(bytes).withUnsafeBytes { hash($0) }
  }

  /// Hash of `prefix ‖ bytes`: the RFC 9162 leaf hash (prefix 0x00) without copying the bytes.
  public static func hash(prefix: UInt8, _ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
    withThreadContext { context in
      withUnsafeBytes(of: prefix) { update(context, $0) }
      update(context, bytes)
    }
  }

  /// Hash of `prefix ‖ bytes` for any byte collection.
  public static func hash(prefix: UInt8, _ bytes: some Collection<UInt8>) -> SHA256Digest {
    if let digest = bytes.withContiguousStorageIfAvailable({ hash(prefix: prefix, UnsafeRawBufferPointer($0)) }) {
      return digest
    }
    return Array(bytes).withUnsafeBytes { hash(prefix: prefix, $0) }
  }

  /// Hash of `prefix ‖ left ‖ right`: the RFC 9162 interior node (prefix 0x01).
  public static func hash(prefix: UInt8, _ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest {
    withThreadContext { context in
      withUnsafeBytes(of: prefix) { update(context, $0) }
      var words = (
        left.w0.bigEndian, left.w1.bigEndian, left.w2.bigEndian, left.w3.bigEndian,
        right.w0.bigEndian, right.w1.bigEndian, right.w2.bigEndian, right.w3.bigEndian
      )
      withUnsafeBytes(of: &words) { update(context, $0) }
    }
  }

  static func update(_ context: OpaquePointer, _ bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 0 else { return }
    let ok = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    precondition(ok == 1, "EVP_DigestUpdate failed")
  }

  /// Runs `body` with this thread's context, initialised for SHA-256, and finalises it.
  static func withThreadContext(_ body: (OpaquePointer) -> Void) -> SHA256Digest {
    let context = threadContext()
    precondition(EVP_DigestInit_ex(context, fetchedSHA256.pointer, nil) == 1, "EVP_DigestInit_ex failed")
    body(context)
    return finish(context)
  }

  static func finish(_ context: OpaquePointer) -> SHA256Digest {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var length: UInt32 = 0
    let ok = withUnsafeMutableBytes(of: &words) { raw in
      EVP_DigestFinal_ex(context, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
    }
    precondition(ok == 1 && length == 32, "EVP_DigestFinal_ex failed")
    return SHA256Digest(
      words: (UInt64(bigEndian: words.0), UInt64(bigEndian: words.1), UInt64(bigEndian: words.2), UInt64(bigEndian: words.3)))
  }

  private static func threadContext() -> OpaquePointer {
    if let existing = pthread_getspecific(threadContextKey.key) {
      return OpaquePointer(existing)
    }
    guard let created = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
    pthread_setspecific(threadContextKey.key, UnsafeRawPointer(created))
    return created
  }
}

/// A streaming SHA-256 for input that arrives in pieces (files, long logs).
public final class SHA256Hasher {
  private let context: OpaquePointer

  public init() {
    guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
    precondition(EVP_DigestInit_ex(context, fetchedSHA256.pointer, nil) == 1, "EVP_DigestInit_ex failed")
    self.context = context
  }

  deinit { EVP_MD_CTX_free(context) }

  public func update(_ bytes: UnsafeRawBufferPointer) { SHA256.update(context, bytes) }

  public func update(_ bytes: some Collection<UInt8>) {
    if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
      Array(bytes).withUnsafeBytes { update($0) }
    }
  }

  /// The digest of everything given so far; the hasher starts over afterwards.
  public func finalize() -> SHA256Digest {
    let digest = SHA256.finish(context)
    precondition(EVP_DigestInit_ex(context, fetchedSHA256.pointer, nil) == 1, "EVP_DigestInit_ex failed")
    return digest
  }
}

/// The SHA-256 `EVP_MD`, fetched once. An `EVP_MD` is immutable and may be shared by threads.
final class FetchedDigest: @unchecked Sendable {
  let pointer: OpaquePointer
  init(_ name: String) {
    guard let md = EVP_MD_fetch(nil, name, nil) else { fatalError("OpenSSL has no \(name) digest") }
    pointer = md
  }
}

let fetchedSHA256 = FetchedDigest("SHA256")

/// The key under which each thread keeps its digest context; the context is freed when the
/// thread exits.
final class ThreadContextKey: @unchecked Sendable {
  let key: pthread_key_t
  init() {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
      if let pointer { EVP_MD_CTX_free(OpaquePointer(pointer)) }
    }
    precondition(status == 0, "pthread_key_create failed")
    self.key = key
  }
}

let threadContextKey = ThreadContextKey()
