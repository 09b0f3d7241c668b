/// The URI rule of EPCIS identifiers and extension names: `scheme:rest`, an RFC 3986 scheme and
/// no whitespace or control characters. Shared by the validator and the mapping.
enum URIFormat {
  static func isValid(_ text: String) -> Bool {
    var bytes = text.utf8.makeIterator()
    guard let first = bytes.next(), isLetter(first) else { return false }
    var sawColon = false
    var ascii = true
    while let byte = bytes.next() {
      if !sawColon {
        if byte == UInt8(ascii: ":") {
          sawColon = true
        } else if !(isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E) {
          return false
        }
      } else if byte <= 0x20 || byte == 0x7F {
        return false
      } else if byte >= 0x80 {
        ascii = false
      }
    }
    guard sawColon else { return false }
    // Outside ASCII, Unicode's other whitespace (NBSP, line separators …) is refused too.
    return ascii || !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
  }
}
