/// RFC 8785 JSON Canonicalization Scheme: the one byte string Loam signs for a JSON value.
///
/// Object members are sorted by their keys' UTF-16 code units, strings are escaped as ES6
/// `JSON.stringify` does, numbers are written in their ES6 form, and no whitespace is emitted.
public enum JCS {
  /// How numbers become text.
  public enum NumberPolicy: Sendable {
    /// Refuse a number whose RFC 8785 form would change its decimal value (for example
    /// `12345678901234567890`, which a double rounds to `12345678901234567000`). Loam's writers
    /// use this, so a signed statement always means what its author wrote.
    case exact
    /// RFC 8785 as written: round to the nearest double and print that.
    case roundToDouble
  }

  /// The canonical bytes of `value`.
  public static func canonicalize(_ value: JSONValue, numbers: NumberPolicy = .exact) throws(JSONError) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    try write(value, into: &out, exact: numbers == .exact)
    return out
  }

  /// Parses JSON text and returns its canonical bytes.
  public static func canonicalize(json bytes: some Collection<UInt8>, numbers: NumberPolicy = .exact) throws(JSONError) -> [UInt8]
  {
    try canonicalize(JSONValue(parsing: bytes), numbers: numbers)
  }

  /// True when `bytes` are exactly the canonical form of the JSON they hold.
  public static func isCanonical(_ bytes: some Collection<UInt8>) -> Bool {
    guard let canonical = try? canonicalize(json: bytes) else { return false }
    return canonical.elementsEqual(bytes)
  }

  static func write(_ value: JSONValue, into out: inout [UInt8], exact: Bool) throws(JSONError) {
    switch value {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
    case .number(let number): out.append(contentsOf: try number.canonicalLiteral(exact: exact).utf8)
    case .string(let text): writeString(text, into: &out)
    case .array(let elements):
      out.append(UInt8(ascii: "["))
      for (offset, element) in elements.enumerated() {
        if offset > 0 { out.append(UInt8(ascii: ",")) }
        try write(element, into: &out, exact: exact)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let object):
      out.append(UInt8(ascii: "{"))
      // Members parsed from canonical JSON are in order already: checking is cheaper than sorting.
      let members = object.members
      var inOrder = true
      var index = 1
      while inOrder, index < members.count {
        inOrder = precedes(members[index - 1].key, members[index].key)
        index += 1
      }
      let sorted = inOrder ? members : members.sorted { precedes($0.key, $1.key) }
      for (offset, member) in sorted.enumerated() {
        if offset > 0 { out.append(UInt8(ascii: ",")) }
        writeString(member.key, into: &out)
        out.append(UInt8(ascii: ":"))
        try write(member.value, into: &out, exact: exact)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// `a` before `b` in UTF-16 code unit order, compared on their UTF-8 bytes: the orders agree
  /// except where a character above U+FFFF (a surrogate pair, D800–DBFF) meets one in E000–FFFF,
  /// which only the lead bytes at the first difference can tell.
  static func precedes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        let common = min(x.count, y.count)
        var index = 0
        while index < common, x[index] == y[index] { index += 1 }
        guard index < common else { return x.count < y.count }
        let (p, q) = (x[index], y[index])
        if p >= 0xEE, q >= 0xEE, (p >= 0xF0) != (q >= 0xF0) { return p >= 0xF0 }
        return p < q
      }
    }
  }

  /// Appends `text` as an RFC 8785 JSON string (for writers that lay out known structures).
  public static func appendString(_ text: String, to out: inout [UInt8]) { writeString(text, into: &out) }

  /// A JSON string as ES6 `JSON.stringify` writes it (and RFC 8785 requires).
  static func writeString(_ text: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
      // Runs of bytes that need no escape (nearly all of them) are copied whole.
      var run = 0
      for index in bytes.indices {
        let byte = bytes[index]
        guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
        run = index + 1
        switch byte {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        default:
          out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
    }
    out.append(UInt8(ascii: "\""))
  }
}
