import LoamCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// stdout for data, stderr for diagnostics.
enum Output {
  static func standardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
      if written <= 0 { return }
      offset += written
    }
    bytes.removeAll()
  }

  /// `loam: <sentence>` on stderr.
  static func error(_ message: String) {
    standardError("loam: \(message)\n")
  }

  /// A status line for a person (stderr, so stdout stays data).
  static func note(_ message: String) {
    standardError(message + "\n")
  }

  /// One JSON document on stdout, in canonical form, ending in a newline.
  static func json(_ value: JSONValue) throws {
    print(String(decoding: try JCS.canonicalize(value), as: UTF8.self))
  }
}
