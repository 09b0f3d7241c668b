import Glibc

/// Writes a new file (never over an existing one) or standard output, in pieces; a file left
/// unfinished by an error is removed.
final class OutputSink {
  let path: String
  let descriptor: Int32
  var finished = false

  init(_ path: String) throws {
    self.path = path
    if path == "-" {
      descriptor = 1
      return
    }
    descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CLIError(
        errno == EEXIST
          ? "\(path) already exists; choose another -o" : "cannot create \(path): \(String(cString: strerror(errno)))")
    }
  }

  func write(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { throw CLIError("writing \(path) failed: \(String(cString: strerror(errno)))") }
      offset += written
    }
  }

  func finish() throws {
    finished = true
    if path != "-" {
      guard fsync(descriptor) == 0 else { throw CLIError("writing \(path) failed: \(String(cString: strerror(errno)))") }
    }
  }

  deinit {
    // A refused open leaves `descriptor` at -1, and the file there is someone else's.
    guard path != "-", descriptor >= 0 else { return }
    close(descriptor)
    if !finished { unlink(path) }
  }
}
