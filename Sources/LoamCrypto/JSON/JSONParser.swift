import Glibc

/// A strict RFC 8259 parser: exactly one value, optional whitespace around it, nothing else.
///
/// It refuses what a signed ledger must not let through: duplicate keys (compared code unit by
/// code unit), invalid UTF-8, escaped lone surrogates, a byte-order mark, nesting deeper than
/// `maximumDepth` and number literals longer than `maximumNumberLength`.
public struct JSONParser: Sendable {
  /// Arrays and objects nested deeper than this are refused. Loam's statements need fewer than 10.
  public var maximumDepth: Int
  /// Number literals longer than this are refused (the longest double needs 24 characters).
  public var maximumNumberLength: Int

  public static let defaultMaximumDepth = 64
  public static let defaultMaximumNumberLength = 100

  public init(maximumDepth: Int = defaultMaximumDepth, maximumNumberLength: Int = defaultMaximumNumberLength) {
    self.maximumDepth = maximumDepth
    self.maximumNumberLength = maximumNumberLength
  }

  public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
    var reader = Reader(bytes: bytes, parser: self)
    reader.skipWhitespace()
    let value = try reader.value(depth: 0)
    reader.skipWhitespace()
    guard reader.index == bytes.count else {
      throw JSONError(.syntax, "unexpected data after the JSON value", offset: reader.index)
    }
    return value
  }

  public func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
    let result: Result<JSONValue, JSONError>? = bytes.withContiguousStorageIfAvailable { buffer in
      Result { () throws(JSONError) -> JSONValue in try parse(UnsafeRawBufferPointer(buffer)) }
    }
    if let result { return try result.get() }
    let array = Array(bytes)
    let copied = array.withUnsafeBytes { raw in Result { () throws(JSONError) -> JSONValue in try parse(raw) } }
    return try copied.get()
  }

  public func parse(_ text: String) throws(JSONError) -> JSONValue {
    try parse(Array(text.utf8))
  }
}

extension JSONValue {
  /// Parses with the default limits.
  public init(parsing bytes: some Collection<UInt8>) throws(JSONError) {
    self = try JSONParser().parse(bytes)
  }

  public init(parsing text: String) throws(JSONError) {
    self = try JSONParser().parse(text)
  }
}

private struct Reader {
  let bytes: UnsafeRawBufferPointer
  let parser: JSONParser
  var index = 0
  var scratch: [UInt8] = []

  init(bytes: UnsafeRawBufferPointer, parser: JSONParser) {
    self.bytes = bytes
    self.parser = parser
  }

  mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  func error(_ message: String, _ code: JSONError.Code = .syntax, at offset: Int? = nil) -> JSONError {
    JSONError(code, message, offset: offset ?? index)
  }

  mutating func value(depth: Int) throws(JSONError) -> JSONValue {
    guard index < bytes.count else { throw error("the JSON text ends where a value should start") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF:
      throw error("a byte-order mark is not allowed")
    default:
      throw error("unexpected character '\(printable(bytes[index]))' where a value should start")
    }
  }

  func printable(_ byte: UInt8) -> String {
    byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + Hex.encode([byte])
  }

  mutating func literal(_ word: StaticString) throws(JSONError) {
    let count = word.utf8CodeUnitCount
    let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: count)
    guard index + count <= bytes.count, bytes[index..<(index + count)].elementsEqual(expected) else {
      throw error("expected '\(word)'")
    }
    index += count
  }

  mutating func number() throws(JSONError) -> JSONNumber {
    guard let length = JSONNumber.numberLength(bytes, from: index) else {
      throw error("malformed number")
    }
    guard length <= parser.maximumNumberLength else {
      throw error("number literal of \(length) characters exceeds the limit of \(parser.maximumNumberLength)", .numberTooLong)
    }
    let literal = String(decoding: bytes[index..<(index + length)], as: UTF8.self)
    index += length
    return JSONNumber(uncheckedLiteral: literal)
  }

  mutating func array(depth: Int) throws(JSONError) -> JSONValue {
    guard depth <= parser.maximumDepth else {
      throw error("arrays and objects nest deeper than \(parser.maximumDepth) levels", .tooDeep)
    }
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try value(depth: depth))
      skipWhitespace()
      guard index < bytes.count else { throw error("the JSON text ends inside an array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      } else {
        throw error("expected ',' or ']' in an array")
      }
    }
  }

  mutating func object(depth: Int) throws(JSONError) -> JSONValue {
    guard depth <= parser.maximumDepth else {
      throw error("arrays and objects nest deeper than \(parser.maximumDepth) levels", .tooDeep)
    }
    let start = index
    index += 1
    var members: [JSONMember] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(JSONObject(uncheckedUnique: members))
    }
    // One allocation for a statement's members instead of growing 1, 2, 4, 8.
    members.reserveCapacity(8)
    // Keys in ascending byte order (as every canonical payload has them) are distinct: each needs
    // one comparison with the key before it. Out of order, each small object's key is compared
    // with all before it; large objects sort their keys once at the end.
    var ascending = true
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a string key in an object")
      }
      let keyOffset = index
      let key = try string()
      if ascending, let last = members.last { ascending = Self.ascends(last.key, key) }
      if !ascending, members.count < 16, members.contains(where: { $0.key.hasSameBytes(as: key) }) {
        throw error("duplicate key \"\(key)\"", .duplicateKey, at: keyOffset)
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
      index += 1
      skipWhitespace()
      members.append(JSONMember(key, try value(depth: depth)))
      skipWhitespace()
      guard index < bytes.count else { throw error("the JSON text ends inside an object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "}") {
        index += 1
        break
      } else {
        throw error("expected ',' or '}' in an object")
      }
    }
    if !ascending, members.count > 16 {
      // Large objects: sort the keys' bytes once instead of comparing every pair.
      let sorted = members.map { Array($0.key.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
      for (a, b) in zip(sorted, sorted.dropFirst()) where a == b {
        throw error("duplicate key \"\(String(decoding: a, as: UTF8.self))\"", .duplicateKey, at: start)
      }
    }
    return .object(JSONObject(uncheckedUnique: members))
  }

  /// True when `a`'s UTF-8 bytes come strictly before `b`'s.
  static func ascends(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { pa in
      b.withUTF8 { pb in
        let common = min(pa.count, pb.count)
        let order = common == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, common)
        return order < 0 || (order == 0 && pa.count < pb.count)
      }
    }
  }

  mutating func string() throws(JSONError) -> String {
    let start = index
    index += 1
    // The common case, a string without escapes: made straight from the input bytes.
    var end = index
    var high: UInt8 = 0
    while end < bytes.count {
      let byte = bytes[end]
      if byte == UInt8(ascii: "\"") {
        let raw = UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[index..<end])
        // ASCII is valid UTF-8 as it stands; `String(validating:)` costs more than the rest of the parse.
        let text = high < 0x80 ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
        guard let text else { throw error("the string is not valid UTF-8", .invalidUTF8, at: start) }
        index = end + 1
        return text
      }
      if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
      high |= byte
      end += 1
    }
    scratch.removeAll(keepingCapacity: true)
    var runStart = index
    while true {
      guard index < bytes.count else { throw error("unterminated string", at: start) }
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        scratch.append(contentsOf: bytes[runStart..<index])
        index += 1
        break
      }
      if byte == UInt8(ascii: "\\") {
        scratch.append(contentsOf: bytes[runStart..<index])
        try escape()
        runStart = index
        continue
      }
      if byte < 0x20 {
        throw error("control character \\x\(Hex.encode([byte])) must be escaped in a string")
      }
      index += 1
    }
    guard let text = String(validating: scratch, as: UTF8.self) else {
      throw error("the string is not valid UTF-8", .invalidUTF8, at: start)
    }
    return text
  }

  mutating func escape() throws(JSONError) {
    let escapeStart = index
    index += 1
    guard index < bytes.count else { throw error("unterminated escape") }
    let byte = bytes[index]
    index += 1
    switch byte {
    case UInt8(ascii: "\""): scratch.append(0x22)
    case UInt8(ascii: "\\"): scratch.append(0x5C)
    case UInt8(ascii: "/"): scratch.append(0x2F)
    case UInt8(ascii: "b"): scratch.append(0x08)
    case UInt8(ascii: "f"): scratch.append(0x0C)
    case UInt8(ascii: "n"): scratch.append(0x0A)
    case UInt8(ascii: "r"): scratch.append(0x0D)
    case UInt8(ascii: "t"): scratch.append(0x09)
    case UInt8(ascii: "u"):
      let first = try hex4()
      var scalarValue = first
      if (0xD800...0xDBFF).contains(first) {
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
          throw error("\\u escape is a high surrogate without its low half", .loneSurrogate, at: escapeStart)
        }
        index += 2
        let second = try hex4()
        guard (0xDC00...0xDFFF).contains(second) else {
          throw error("\\u escape is a high surrogate without its low half", .loneSurrogate, at: escapeStart)
        }
        scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
      } else if (0xDC00...0xDFFF).contains(first) {
        throw error("\\u escape is a low surrogate without its high half", .loneSurrogate, at: escapeStart)
      }
      let scalar = Unicode.Scalar(scalarValue)!
      scratch.append(contentsOf: UTF8.encode(scalar)!)
    default:
      throw error("invalid escape '\\\(printable(byte))'", at: escapeStart)
    }
  }

  mutating func hex4() throws(JSONError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("\\u escape needs four hex digits") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
      default: throw error("\\u escape needs four hex digits")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }
}
