import LoamCore
import LoamCrypto

/// The value rules of the EPCIS Event Hash ID pre-hash string (CBV 2.0 §8.9, rules 5–19): trimmed,
/// timestamps in UTC at millisecond precision, numbers without trailing zeros, CBV URNs and bare
/// vocabulary words as their Web URIs, EPC URNs and Digital Links as canonical Digital Links.
public enum PreHashValue {
  /// The vocabulary a bare word stands for in a field typed `@vocab` by the EPCIS 2.0 context.
  public enum Vocabulary: Sendable {
    case bizStep, disposition, businessTransactionType, sourceDestinationType, errorReason, component
    case measurementType, sensorAlarm

    var base: String {
      switch self {
      case .bizStep: "https://ref.gs1.org/cbv/BizStep-"
      case .disposition: "https://ref.gs1.org/cbv/Disp-"
      case .businessTransactionType: "https://ref.gs1.org/cbv/BTT-"
      case .sourceDestinationType: "https://ref.gs1.org/cbv/SDT-"
      case .errorReason: "https://ref.gs1.org/cbv/ER-"
      case .component: "https://ref.gs1.org/cbv/Comp-"
      // The 2.0.0 context maps these through its `gs1` prefix, https://gs1.org/voc/.
      case .measurementType, .sensorAlarm: "https://gs1.org/voc/"
      }
    }
  }

  private static let cbvURNs: [(String, String)] = [
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
  ]

  /// Standard CURIE prefixes, expanded in values (user prefixes stay as written).
  static let standardPrefixes: [String: String] = [
    "cbv": "https://ref.gs1.org/cbv/", "gs1": "https://gs1.org/voc/", "epcis": "https://ref.gs1.org/epcis/",
  ]

  /// A plain value: trimmed, then vocabulary, CURIE, number and identifier rules.
  public static func canonical(_ raw: String, vocabulary: Vocabulary? = nil) -> String {
    var writer = PreHashWriter()
    write(raw, vocabulary: vocabulary, into: &writer)
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  /// Writes `canonical(raw, vocabulary:)`; nothing for a value that is empty once trimmed.
  static func write(_ raw: String, vocabulary: Vocabulary? = nil, into writer: inout PreHashWriter) {
    let text = trimmed(raw)
    if text.isEmpty { return }
    if let vocabulary, isBareWord(text) {
      writer.write(vocabulary.base)
      writer.write(text)
      return
    }
    let bytes = text.utf8
    if bytes.starts(with: cbvURNStem) {
      for (urn, web) in cbvURNs where bytes.starts(with: urn.utf8) {
        writer.write(web)
        writer.write(bytes.dropFirst(urn.utf8.count))
        return
      }
    }
    // The byte, not the Character: `String.firstIndex(of:)` breaks graphemes all along the value.
    if let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
      let base = standardPrefix(bytes[..<colon])
    {
      writer.write(base)
      writer.write(bytes[bytes.index(after: colon)...])
      return
    }
    if let number = numeric(text) {
      writer.write(number)
      return
    }
    writer.write(DigitalLink.canonical(text) ?? text)
  }

  /// Writes a JSON scalar's value; false (and nothing written) for objects, arrays and null.
  @discardableResult
  static func write(_ value: JSONValue, vocabulary: Vocabulary? = nil, into writer: inout PreHashWriter) -> Bool {
    switch value {
    case .string(let text): write(text, vocabulary: vocabulary, into: &writer)
    case .number(let number): writer.write(numeric(number.literal) ?? number.literal)
    case .bool(let flag): writer.write(flag ? "true" : "false")
    default: return false
    }
    return true
  }

  private static let cbvURNStem = Array("urn:epcglobal:cbv:".utf8)

  private static func standardPrefix(_ prefix: Substring.UTF8View) -> String? {
    switch prefix.count {
    case 3:
      if prefix.elementsEqual("cbv".utf8) { return standardPrefixes["cbv"] }
      if prefix.elementsEqual("gs1".utf8) { return standardPrefixes["gs1"] }
      return nil
    case 5: return prefix.elementsEqual("epcis".utf8) ? standardPrefixes["epcis"] : nil
    default: return nil
    }
  }

  /// A timestamp in UTC with exactly three decimals, rounded half up on the fourth (rule 9); the
  /// value as written when it is not an xsd:dateTimeStamp.
  public static func time(_ raw: String) -> String {
    var writer = PreHashWriter()
    writeTime(raw, into: &writer)
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  /// Writes `time(raw)`.
  static func writeTime(_ raw: String, into writer: inout PreHashWriter) {
    let text = trimmed(raw)
    guard let (seconds, fraction) = parseDateTime(text) else { return writer.write(text) }
    var digits = fraction.utf8.prefix(4).map { Int($0 &- 0x30) }
    while digits.count < 4 { digits.append(0) }
    var millis = digits[0] * 100 + digits[1] * 10 + digits[2]
    if digits[3] >= 5 { millis += 1 }
    let whole = seconds + Int64(millis / 1000)
    millis %= 1000
    writer.write { bytes in
      Timestamp(seconds: whole).appendDescription(to: &bytes)
      bytes.removeLast()  // its "Z": the milliseconds go first
    }
    writer.write(byte: UInt8(ascii: "."))
    writer.write(byte: UInt8(ascii: "0") + UInt8(millis / 100))
    writer.write(byte: UInt8(ascii: "0") + UInt8(millis / 10 % 10))
    writer.write(byte: UInt8(ascii: "0") + UInt8(millis % 10))
    writer.write(byte: UInt8(ascii: "Z"))
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` → (UTC seconds, fraction digits).
  static func parseDateTime(_ text: String) -> (Int64, Substring)? {
    var text = text
    guard let (seconds, fractionEnd) = text.withUTF8({ parseDateTime(utf8: $0) }) else { return nil }
    let fraction = fractionEnd > 20 ? text.utf8.dropFirst(20).prefix(fractionEnd - 20) : Substring("").utf8
    return (seconds, Substring(fraction))
  }

  /// (UTC seconds, the end of the fraction's digits: 19 when there is none).
  private static func parseDateTime(utf8 bytes: UnsafeBufferPointer<UInt8>) -> (Int64, Int)? {
    guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else { return nil }
    var index = 19
    var fractionEnd = 19
    if bytes[index] == UInt8(ascii: ".") {
      index += 1
      while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
      guard index > 20 else { return nil }
      fractionEnd = index
    }
    func twoDigits(_ at: Int) -> Int? {
      let high = bytes[at] &- 0x30
      let low = bytes[at + 1] &- 0x30
      return high < 10 && low < 10 ? Int(high) * 10 + Int(low) : nil
    }
    var offsetSeconds: Int64 = 0
    let zone = bytes.count - index
    let sign = index < bytes.count ? bytes[index] : 0
    if zone == 1, sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
    } else if zone == 6, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), bytes[index + 3] == UInt8(ascii: ":"),
      let hours = twoDigits(index + 1), let minutes = twoDigits(index + 4), hours < 24, minutes < 60
    {
      offsetSeconds = Int64(hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
    } else {
      return nil
    }
    // The date and time of day, as Timestamp reads them: `YYYY-MM-DDTHH:MM:SSZ`.
    var head = (
      UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
      UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0)
    )
    let stamp = withUnsafeMutableBytes(of: &head) { raw -> Timestamp? in
      let out = raw.bindMemory(to: UInt8.self)
      for position in 0..<19 { out[position] = bytes[position] }
      out[10] = UInt8(ascii: "T")
      out[19] = UInt8(ascii: "Z")
      return Timestamp(utf8: UnsafeBufferPointer(out))
    }
    guard let stamp else { return nil }
    return (stamp.seconds - offsetSeconds, fractionEnd)
  }

  /// Numbers without trailing zeros, as the reference implementation prints them (an integral value
  /// as an integer, otherwise the shortest decimal that round-trips).
  static func numeric(_ text: String) -> String? {
    guard isDecimalLiteral(text), let value = Double(text), value.isFinite else { return nil }
    if value == value.rounded(), abs(value) < 1e16 { return String(Int64(value)) }
    return value.description
  }

  /// `[+-]digits[.digits][(e|E)[+-]digits]` with at least one mantissa digit, in one pass (every
  /// string value of an event is tried as a number first, and most are URIs).
  static func isDecimalLiteral(_ text: String) -> Bool {
    let bytes = text.utf8
    var index = bytes.startIndex
    func take(_ accept: (UInt8) -> Bool) -> Bool {
      guard index < bytes.endIndex, accept(bytes[index]) else { return false }
      bytes.formIndex(after: &index)
      return true
    }
    func digits() -> Int {
      var count = 0
      while take({ $0 >= 0x30 && $0 <= 0x39 }) { count += 1 }
      return count
    }
    let sign: (UInt8) -> Bool = { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
    _ = take(sign)
    var mantissa = digits()
    if take({ $0 == UInt8(ascii: ".") }) { mantissa += digits() }
    guard mantissa > 0 else { return false }
    if index == bytes.endIndex { return true }
    guard take({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return false }
    _ = take(sign)
    return digits() > 0 && index == bytes.endIndex
  }

  private static func isBareWord(_ text: String) -> Bool {
    text.utf8.allSatisfy { byte in
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
  }

  static func trimmed(_ text: String) -> String {
    // Most values start and end with a visible ASCII character: nothing to trim.
    if let first = text.utf8.first, let last = text.utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
      return text
    }
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
    let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
    return String(scalars[first...last])
  }
}
