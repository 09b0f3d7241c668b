/// Lowercase hexadecimal, the form Loam writes key ids, entry ids and digests in.
public enum Hex {
  private static let digits = Array("0123456789abcdef".utf8)

  public static func encode(_ bytes: some Sequence<UInt8>) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes hex of either case; nil for odd length or a non-hex character.
  public static func decode(_ text: some StringProtocol) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count / 2)
    var index = 0
    while index < utf8.count {
      guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
      out.append(high << 4 | low)
      index += 2
    }
    return out
  }

  /// True when `text` is exactly `count` bytes of lowercase hex (the canonical form).
  public static func isLowercase(_ text: some StringProtocol, byteCount count: Int) -> Bool {
    var string = String(text)
    return string.withUTF8 { isLowercase($0, byteCount: count) }
  }

  /// True when `bytes` are exactly `count` bytes' worth of lowercase hex digits.
  public static func isLowercase(_ bytes: UnsafeBufferPointer<UInt8>, byteCount count: Int) -> Bool {
    guard bytes.count == count * 2 else { return false }
    for byte in bytes {
      guard (byte &- UInt8(ascii: "0")) < 10 || (byte &- UInt8(ascii: "a")) < 6 else { return false }
    }
    return true
  }

  private static func value(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
