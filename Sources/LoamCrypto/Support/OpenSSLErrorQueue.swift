internal import COpenSSL

/// OpenSSL keeps a per-thread queue of errors. It must be read (or cleared) in the same
/// synchronous function that saw the failure, or a later call reports a stale error.
enum OpenSSLErrorQueue {
  /// Empties the queue and returns its entries joined, or nil when it was empty.
  static func drain() -> String? {
    var messages: [String] = []
    while true {
      let code = ERR_get_error()
      if code == 0 { break }
      var buffer = [CChar](repeating: 0, count: 256)
      ERR_error_string_n(code, &buffer, buffer.count)
      let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if messages.count < 4 { messages.append(message) }
    }
    return messages.isEmpty ? nil : messages.joined(separator: "; ")
  }

  /// Forgets whatever an expected failure (a bad signature, a wrong passphrase) left behind.
  static func clear() { ERR_clear_error() }

  /// A `CryptoError` carrying the drained queue.
  static func error(_ code: CryptoError.Code, _ message: String) -> CryptoError {
    CryptoError(code, message, openSSLDetail: drain())
  }
}
