internal import COpenSSL

/// The two SubjectPublicKeyInfo encodings nearly every Loam key has, read without OpenSSL's
/// generic decoders: an Ed25519 key (44 bytes) and an uncompressed P-256 point under the named
/// curve (91 bytes). Each is one fixed prefix and the key bytes, and is already the canonical DER.
///
/// OpenSSL 3 reads any other key through its decoder framework, which tries every decoder it has:
/// `PEM_read_bio_PUBKEY` took about 500 µs a key here, `d2i_PUBKEY` 125–190 µs, and writing the
/// DER back (`i2d_PUBKEY`, for the key id) 80–105 µs. Every enrolment a replay or a verification
/// reads pays that; the fixed forms cost 4 µs (Ed25519) and 28 µs (P-256, whose point OpenSSL
/// still checks is on the curve). Anything else, or a fixed form OpenSSL refuses, goes the
/// generic way, with its errors.
enum FixedFormSPKI {
  static let ed25519Prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
  static let p256Prefix: [UInt8] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D,
    0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
  ]

  /// The key when `der` is exactly one of the fixed forms and OpenSSL accepts its key bytes.
  static func publicKey(_ der: UnsafeRawBufferPointer) -> EVPKey? {
    guard let base = der.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
    let pointer: OpaquePointer?
    if der.count == ed25519Prefix.count + 32, der.starts(with: ed25519Prefix) {
      pointer = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, base + ed25519Prefix.count, 32)
    } else if der.count == p256Prefix.count + 65, der.starts(with: p256Prefix), base[p256Prefix.count] == 0x04 {
      // 0x04: an uncompressed point, x and y of 32 bytes each.
      pointer = loam_p256_public_key(base + p256Prefix.count, 65)
    } else {
      return nil
    }
    guard let pointer else {
      OpenSSLErrorQueue.clear()
      return nil
    }
    return try? EVPKey(taking: pointer)
  }

  /// The DER inside `pem` when it is a single `PUBLIC KEY` block as Loam and OpenSSL write it:
  /// the BEGIN line, lines of 1 to 64 canonical base64 characters, the END line, with LF or CRLF
  /// line ends and blank lines allowed only before and after. nil for any other text (headers,
  /// other blocks, longer lines), which OpenSSL then reads.
  static func der(inPEM pem: UnsafeRawBufferPointer) -> [UInt8]? {
    var lines: [Slice<UnsafeRawBufferPointer>] = []
    var start = pem.startIndex
    while start <= pem.endIndex {
      var stop = start
      while stop < pem.endIndex, pem[stop] != 0x0A { stop += 1 }
      var line = pem[start..<stop]
      if line.last == 0x0D { line = line.dropLast() }
      lines.append(line)
      start = stop + 1
    }
    while lines.first?.isEmpty == true { lines.removeFirst() }
    while lines.last?.isEmpty == true { lines.removeLast() }
    guard lines.count >= 3, lines.first!.elementsEqual("-----BEGIN PUBLIC KEY-----".utf8),
      lines.last!.elementsEqual("-----END PUBLIC KEY-----".utf8)
    else { return nil }
    let body = lines.dropFirst().dropLast()
    guard body.allSatisfy({ !$0.isEmpty && $0.count <= 64 }) else { return nil }
    return body.flatMap { $0 }.withUnsafeBufferPointer { Base64.decode($0) }
  }
}
