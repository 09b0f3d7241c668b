/// Conversions between the two ECDSA P-256 signature encodings.
///
/// Loam writes and verifies ASN.1 DER (what `openssl dgst -sha256 -sign` writes). IEEE P1363
/// (`r ‖ s`, 32 bytes each, as WebCrypto and JOSE use) is accepted only through an explicit
/// conversion, and only at exactly 64 bytes.
public enum ECDSASignature {
  /// DER `SEQUENCE { INTEGER r, INTEGER s }` from 64-byte P1363 `r ‖ s`.
  public static func der(fromP1363 raw: some Collection<UInt8>) throws -> [UInt8] {
    let bytes = Array(raw)
    guard bytes.count == 64 else {
      throw CryptoError(.malformedInput, "a P1363 P-256 signature is 64 bytes (r ‖ s), not \(bytes.count)")
    }
    let body = integer(bytes[0..<32]) + integer(bytes[32..<64])
    // At most 2 × 35 bytes, so the short length form always fits.
    return [0x30, UInt8(body.count)] + body
  }

  /// A minimal DER INTEGER for an unsigned big-endian value.
  private static func integer(_ value: ArraySlice<UInt8>) -> [UInt8] {
    var magnitude = Array(value.drop { $0 == 0 })
    if magnitude.isEmpty { magnitude = [0] }
    if magnitude[0] & 0x80 != 0 { magnitude.insert(0, at: 0) }
    return [0x02, UInt8(magnitude.count)] + magnitude
  }
}
