internal import COpenSSL

/// Bytes that hold a secret (a private key's PEM, a passphrase). The storage is zeroed with
/// `OPENSSL_cleanse` when the last reference goes, and it never prints its contents.
public struct SecureBytes: Sendable, CustomStringConvertible {
  // Immutable after init, so sharing the reference across threads is safe.
  final class Storage: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(count: Int) {
      buffer = .allocate(byteCount: max(count, 1), alignment: 16)
      buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }
    deinit {
      OPENSSL_cleanse(buffer.baseAddress, buffer.count)
      buffer.deallocate()
    }
  }

  let storage: Storage
  /// The number of bytes.
  public let count: Int

  /// Allocates `capacity` bytes, lets `fill` write into them and return how many it used.
  public init(capacity: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows {
    let storage = Storage(count: capacity)
    let used = try fill(UnsafeMutableRawBufferPointer(rebasing: storage.buffer[0..<capacity]))
    precondition(used >= 0 && used <= capacity, "SecureBytes fill reported \(used) of \(capacity) bytes")
    self.storage = storage
    self.count = used
  }

  /// Copies `bytes` (the caller's copy is not zeroed; prefer `init(capacity:fill:)` for secrets
  /// read from outside).
  public init(_ bytes: some Collection<UInt8>) {
    self.init(capacity: bytes.count) { buffer in
      buffer.copyBytes(from: bytes)
      return bytes.count
    }
  }

  public var isEmpty: Bool { count == 0 }

  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(rebasing: storage.buffer[0..<count]))
  }

  public var description: String { "SecureBytes(\(count) bytes, redacted)" }
}
