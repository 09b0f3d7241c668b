import Glibc

/// The few syscalls the store needs, with errors that name the file.
enum FileIO {
  static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

  static func ioError(_ what: String, _ path: String, _ code: Int32 = errno) -> StoreError {
    switch code {
    case EACCES, EPERM: StoreError(.io, "permission denied \(what) \(path): check its owner and mode")
    case EROFS: StoreError(.io, "\(what) \(path) failed: the file system is read-only")
    case ENOSPC, EDQUOT:
      StoreError(.io, "\(what) \(path) failed: no space left on the device; free some and run the command again")
    case ENOENT:
      StoreError(.io, "\(what) \(path) failed: it is not there (was the ledger directory moved, removed or unmounted?)")
    case EFBIG:
      StoreError(
        .io, "\(what) \(path) failed: the file-size limit was reached; raise it (ulimit -f) and run the command again")
    default: StoreError(.io, "\(what) \(path) failed: \(errorText(code))")
    }
  }

  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  static func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
  }

  static func size(ofPath path: String) -> Int {
    var status = stat()
    return stat(path, &status) == 0 ? Int(status.st_size) : 0
  }

  static func size(of descriptor: Int32) -> Int {
    var status = stat()
    return fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
  }

  /// Reads a whole (small) file; nil when it does not exist.
  static func readFile(_ path: String) throws -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    if descriptor < 0 {
      if errno == ENOENT { return nil }
      throw ioError("reading", path)
    }
    defer { close(descriptor) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw ioError("reading", path)
      }
      if count == 0 { break }
      out += buffer[0..<count]
    }
    return out
  }

  static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
    try bytes.withUnsafeBytes { try writeAll(descriptor, $0, path: path) }
  }

  static func writeAll(_ descriptor: Int32, _ raw: UnsafeRawBufferPointer, path: String) throws {
    var offset = 0
    while offset < raw.count {
      let count = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
      if count < 0 {
        if errno == EINTR { continue }
        throw ioError("writing", path)
      }
      offset += count
    }
  }

  static func fsyncOrThrow(_ descriptor: Int32, path: String) throws {
    guard fsync(descriptor) == 0 else { throw ioError("syncing", path) }
  }

  static func syncFile(_ path: String) throws {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw ioError("opening", path) }
    defer { close(descriptor) }
    try fsyncOrThrow(descriptor, path: path)
  }

  static func syncDirectory(_ path: String) throws {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw ioError("opening", path) }
    defer { close(descriptor) }
    try fsyncOrThrow(descriptor, path: path)
  }

  /// Replaces `path` atomically: write a temporary file, fsync it, rename it over, fsync the
  /// directory.
  static func replaceAtomically(_ path: String, directory: String, with bytes: [UInt8]) throws {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw ioError("creating", temporary) }
    do {
      try writeAll(descriptor, bytes, path: temporary)
      try fsyncOrThrow(descriptor, path: temporary)
    } catch {
      close(descriptor)
      unlink(temporary)
      throw error
    }
    close(descriptor)
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw ioError("replacing", path, code)
    }
    try syncDirectory(directory)
  }
}
