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
    let quads = input.count / 4
    let length = quads * 3 - padding
    return reverse.withUnsafeBufferPointer { table -> [UInt8]? in
      var valid = true
      let out = [UInt8](unsafeUninitializedCapacity: quads * 3) { buffer, initialized in
        // Every quad but the last: four alphabet characters, three bytes.
        var bad: UInt8 = 0
        var o = 0
        for q in 0..<(quads - 1) {
          let i = q * 4
          let a = table[Int(input[i])], b = table[Int(input[i + 1])]
          let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
          bad |= a | b | c | d
          let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
          buffer[o] = UInt8(truncatingIfNeeded: n >> 16)
          buffer[o + 1] = UInt8(truncatingIfNeeded: n >> 8)
          buffer[o + 2] = UInt8(truncatingIfNeeded: n)
          o += 3
        }
        // 0xff has the high bit set; alphabet values are below 64.
        guard bad & 0x80 == 0 else {
          valid = false
          initialized = 0
          return
        }
        // The last quad: padding only here, and the bits beyond the kept bytes must be zero, or two
        // strings would decode alike.
        let i = input.count - 4
        let usable = 4 - padding
        var n: UInt32 = 0
        for offset in 0..<4 {
          let char = input[i + offset]
          var value: UInt8 = 0
          if offset >= usable {
            guard char == UInt8(ascii: "=") else {
              valid = false
              break
            }
          } else {
            value = table[Int(char)]
            guard value != 0xff else {
              valid = false
              break
            }
          }
          n = n << 6 | UInt32(value)
        }
        let last = [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        let keep = usable - 1
        if valid {
          for dropped in last[keep...] where dropped != 0 { valid = false }
        }
        guard valid else {
          initialized = 0
          return
        }
        for k in 0..<keep { buffer[o + k] = last[k] }
        initialized = length
      }
      return valid ? out : nil
    }
  }
}
