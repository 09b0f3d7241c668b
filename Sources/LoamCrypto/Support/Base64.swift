/// Standard base64 (RFC 4648 §4) with padding, as DSSE envelopes and signed notes use it.
///
/// Decoding is strict: the length must be a multiple of four, padding only at the end, and the
/// unused bits of the last character must be zero, so every byte string has exactly one
/// accepted encoding (no malleable signatures or entry lines).
public enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  private static let reverse: [UInt8] = {
    var table = [UInt8](repeating: 0xff, count: 256)
    for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
    return table
  }()

  public static func encode(_ bytes: some Collection<UInt8>) -> String {
    let input = Array(bytes)
    var out: [UInt8] = []
    out.reserveCapacity((input.count + 2) / 3 * 4)
    var index = 0
    while index + 3 <= input.count {
      let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(alphabet[Int(n & 63)])
      index += 3
    }
    switch input.count - index {
    case 1:
      let n = UInt32(input[index]) << 16
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(contentsOf: "==".utf8)
    case 2:
      let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(UInt8(ascii: "="))
    default: break
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes canonical padded base64; nil for anything else.
  public static func decode(_ text: some StringProtocol) -> [UInt8]? {
    Array(text.utf8).withUnsafeBufferPointer { decode($0) }
  }

  /// Decodes canonical padded base64 bytes; nil for anything else.
  public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    guard input.count % 4 == 0 else { return nil }
    if input.isEmpty { return [] }
    var padding = 0
    if input[input.count - 1] == UInt8(ascii: "=") {
      padding = input[input.count - 2] == UInt8(ascii: "=") ? 2 : 1
    }
    var out: [UInt8] = []
    out.reserveCapacity(input.count / 4 * 3)
    var index = 0
    while index < input.count {
      let isLast = index + 4 == input.count
      let usable = isLast ? 4 - padding : 4
      var n: UInt32 = 0
      for offset in 0..<4 {
        let char = input[index + offset]
        let value: UInt8
        if offset >= usable {
          guard char == UInt8(ascii: "=") else { return nil }
          value = 0
        } else {
          value = reverse[Int(char)]
          guard value != 0xff else { return nil }
        }
        n = n << 6 | UInt32(value)
      }
      let bytes = [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
      let keep = usable - 1
      // Bits beyond the kept bytes must be zero, or two strings would decode alike.
      for dropped in bytes[keep...] where dropped != 0 { return nil }
      out.append(contentsOf: bytes[..<keep])
      index += 4
    }
    return out
  }
}
