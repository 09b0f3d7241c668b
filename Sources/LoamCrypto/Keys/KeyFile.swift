import Glibc

/// Key files on disk: read into memory that is zeroed afterwards, written once with mode 0600.
///
/// Errors name the file and say what to do; they never include key material.
public enum KeyFile {
  /// Key files are small; anything larger is not a key.
  public static let maximumSize = 64 * 1024

  /// Reads a whole key file.
  public static func read(_ path: String) throws -> SecureBytes {
    try readWithMode(path).bytes
  }

  /// Reads a whole key file and the permission bits it had when it was read.
  private static func readWithMode(_ path: String) throws -> (bytes: SecureBytes, mode: mode_t) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw unreadable(path, errno) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw unreadable(path, errno) }
    if status.st_mode & S_IFMT == S_IFDIR {
      throw CryptoError(.fileUnreadable, "\(path) is a directory, not a key file")
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw CryptoError(.fileUnreadable, "\(path) is not a regular file")
    }
    guard Int(status.st_size) <= maximumSize else {
      throw CryptoError(.fileUnreadable, "\(path) is \(status.st_size) bytes; a key file is at most \(maximumSize)")
    }
    let bytes = try SecureBytes(capacity: maximumSize + 1) { buffer in
      var total = 0
      while total < buffer.count {
        let count = Glibc.read(descriptor, buffer.baseAddress! + total, buffer.count - total)
        if count < 0 {
          if errno == EINTR { continue }
          throw unreadable(path, errno)
        }
        if count == 0 { break }
        total += count
      }
      guard total <= maximumSize else {
        throw CryptoError(.fileUnreadable, "\(path) is larger than \(maximumSize) bytes; it is not a key file")
      }
      return total
    }
    return (bytes, status.st_mode & 0o777)
  }

  /// Reads a private key, naming the file in any error. The file must be readable by its owner
  /// alone: a key that group or others can read is refused, with the `chmod` that fixes it.
  public static func readPrivateKey(_ path: String, passphrase: SecureBytes? = nil) throws -> PrivateKey {
    let (bytes, mode) = try readWithMode(path)
    try requireOwnerOnly(path, mode)
    return try naming(path) { try PrivateKey(encoded: bytes, passphrase: passphrase) }
  }

  /// Reads a public key, or the public half of a private key. Public keys may have any mode; a file
  /// that holds a private key must be readable by its owner alone, as for ``readPrivateKey(_:passphrase:)``.
  public static func readAnyKey(_ path: String, passphrase: SecureBytes? = nil) throws -> AnyKey {
    let (bytes, mode) = try readWithMode(path)
    let key = try naming(path) { try AnyKey(encoded: bytes, passphrase: passphrase) }
    if case .privateKey = key { try requireOwnerOnly(path, mode) }
    return key
  }

  /// Refuses permission bits that let anyone but the owner read or write a private key.
  static func requireOwnerOnly(_ path: String, _ mode: mode_t) throws {
    guard mode & 0o077 != 0 else { return }
    throw CryptoError(
      .fileExposed,
      "\(path) holds a private key but has mode \(String(mode, radix: 8)), so others on this machine may read it: run `chmod 600 \(path)` (and consider a new key if it was shared)"
    )
  }

  /// Writes `key` as PEM PKCS#8 (encrypted when a passphrase is given) to a new file with mode
  /// 0600. Never overwrites; the bytes are fsync'd, and so is the directory entry.
  public static func write(_ key: PrivateKey, to path: String, passphrase: SecureBytes? = nil) throws {
    let pem = try key.pkcs8PEM(passphrase: passphrase)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      let code = errno
      if code == EEXIST { throw exists(path) }
      throw CryptoError(.fileWrite, "cannot create \(path): \(String(cString: strerror(code)))")
    }
    var succeeded = false
    defer {
      close(descriptor)
      if !succeeded { unlink(path) }
    }
    // The umask may have narrowed the mode; it must not have widened it, but make it exact.
    guard fchmod(descriptor, 0o600) == 0 else { throw writeFailed(path, errno) }
    try pem.withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
          if errno == EINTR { continue }
          throw writeFailed(path, errno)
        }
        offset += count
      }
    }
    guard fsync(descriptor) == 0 else { throw writeFailed(path, errno) }
    succeeded = true
    syncDirectory(of: path)
  }

  /// Refuses a path that already exists, before anything is asked or generated for it (writing
  /// refuses it again, atomically).
  public static func requireAbsent(_ path: String) throws {
    if access(path, F_OK) == 0 { throw exists(path) }
  }

  private static func exists(_ path: String) -> CryptoError {
    CryptoError(
      .fileExists, "\(path) already exists; Loam never overwrites a key file: choose another path or move the old key away")
  }

  private static func syncDirectory(of path: String) {
    let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
  }

  private static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch var error as CryptoError where !error.message.contains(path) {
      error.message = "\(path): \(error.message)"
      throw error
    }
  }

  private static func unreadable(_ path: String, _ code: Int32) -> CryptoError {
    switch code {
    case ENOENT: CryptoError(.fileUnreadable, "\(path) does not exist")
    case EACCES, EPERM:
      CryptoError(.fileUnreadable, "permission denied reading \(path): check its owner and mode (ls -l \(path))")
    case EISDIR: CryptoError(.fileUnreadable, "\(path) is a directory, not a key file")
    default: CryptoError(.fileUnreadable, "cannot read \(path): \(String(cString: strerror(code)))")
    }
  }

  private static func writeFailed(_ path: String, _ code: Int32) -> CryptoError {
    CryptoError(.fileWrite, "writing \(path) failed: \(String(cString: strerror(code)))")
  }
}
