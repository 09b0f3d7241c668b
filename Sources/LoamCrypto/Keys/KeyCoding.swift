internal import COpenSSL

/// Reading and writing keys as PEM and DER through OpenSSL's BIOs.
enum KeyCoding {
  /// The labels of every `-----BEGIN X-----` line in `bytes`, in order.
  static func pemLabels(_ bytes: UnsafeRawBufferPointer) -> [String] {
    let marker = Array("-----BEGIN ".utf8)
    var labels: [String] = []
    var index = 0
    while index + marker.count <= bytes.count {
      if bytes[index] == marker[0], zip(marker, bytes[index..<(index + marker.count)]).allSatisfy({ $0 == $1 }) {
        var end = index + marker.count
        while end < bytes.count, bytes[end] != UInt8(ascii: "-"), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        labels.append(String(decoding: bytes[(index + marker.count)..<end], as: UTF8.self))
        index = end
      } else {
        index += 1
      }
    }
    return labels
  }

  static func looksLikePEM(_ bytes: UnsafeRawBufferPointer) -> Bool {
    !pemLabels(bytes).isEmpty
  }

  /// Runs `body` with a read-only memory BIO over `bytes` (not copied; it must outlive the BIO).
  static func withReadBIO<R>(_ bytes: UnsafeRawBufferPointer, _ body: (OpaquePointer) throws -> R) throws -> R {
    guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(clamping: bytes.count)) else {
      throw OpenSSLErrorQueue.error(.openSSL, "could not allocate a memory BIO")
    }
    defer { BIO_free(bio) }
    return try body(bio)
  }

  /// Runs `write` against a fresh memory BIO and returns what it wrote. `secure` uses OpenSSL's
  /// secure-heap BIO, which clears its buffer when freed.
  static func writtenBytes(secure: Bool, _ write: (OpaquePointer) -> Int32) throws -> SecureBytes {
    guard let bio = BIO_new(secure ? BIO_s_secmem() : BIO_s_mem()) else {
      throw OpenSSLErrorQueue.error(.openSSL, "could not allocate a memory BIO")
    }
    defer { BIO_free(bio) }
    guard write(bio) == 1 else { throw OpenSSLErrorQueue.error(.openSSL, "OpenSSL could not encode the key") }
    var data: UnsafeMutablePointer<CChar>? = nil
    let length = loam_bio_get_mem_data(bio, &data)
    guard length >= 0, let data else { return SecureBytes([]) }
    return SecureBytes(capacity: length) { buffer in
      buffer.copyMemory(from: UnsafeRawBufferPointer(start: data, count: length))
      return length
    }
  }

  /// DER SubjectPublicKeyInfo of a key.
  static func spkiDER(_ pkey: OpaquePointer) throws -> [UInt8] {
    let length = i2d_PUBKEY(pkey, nil)
    guard length > 0 else { throw OpenSSLErrorQueue.error(.openSSL, "could not encode the public key") }
    var der = [UInt8](repeating: 0, count: Int(length))
    let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
      var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
      return i2d_PUBKEY(pkey, &cursor)
    }
    guard written == length else { throw OpenSSLErrorQueue.error(.openSSL, "could not encode the public key") }
    return der
  }

  /// Parses DER SubjectPublicKeyInfo, requiring that it uses every byte.
  static func publicKey(fromSPKI der: UnsafeRawBufferPointer) throws -> OpaquePointer {
    guard let base = der.baseAddress?.assumingMemoryBound(to: UInt8.self), der.count > 0 else {
      throw CryptoError(.keyMalformed, "the public key is empty")
    }
    var cursor: UnsafePointer<UInt8>? = base
    guard let pkey = d2i_PUBKEY(nil, &cursor, der.count) else {
      throw OpenSSLErrorQueue.error(.keyMalformed, "the bytes are not a DER SubjectPublicKeyInfo")
    }
    guard cursor == base + der.count else {
      EVP_PKEY_free(pkey)
      throw CryptoError(.keyMalformed, "the DER SubjectPublicKeyInfo has trailing bytes")
    }
    return pkey
  }

  /// The C callback OpenSSL calls for a passphrase. `userdata` points at an
  /// `UnsafeRawBufferPointer` holding it; no passphrase (nil) refuses, so OpenSSL never prompts.
  static let passphraseCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 =
    {
      buffer, size, _, userdata in
      guard let buffer, let userdata else { return -1 }
      let passphrase = userdata.load(as: UnsafeRawBufferPointer.self)
      guard passphrase.count <= Int(size), let source = passphrase.baseAddress else { return -1 }
      UnsafeMutableRawPointer(buffer).copyMemory(from: source, byteCount: passphrase.count)
      return Int32(passphrase.count)
    }

  /// Runs `body` with the userdata pointer `passphraseCallback` expects (nil when there is none).
  static func withPassphrase<R>(_ passphrase: SecureBytes?, _ body: (UnsafeMutableRawPointer?) throws -> R) rethrows -> R {
    guard let passphrase else { return try body(nil) }
    return try passphrase.withUnsafeBytes { bytes in
      var view = bytes
      return try withUnsafeMutablePointer(to: &view) { try body(UnsafeMutableRawPointer($0)) }
    }
  }
}
