/// A JSON number kept as its exact literal, so that no value is rounded through a binary
/// double until someone asks for one (`double`, or RFC 8785 canonicalization).
///
/// Two numbers are equal when their decimal values are equal (`1.0` == `1` == `10e-1`).
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
  /// The literal as written, valid per RFC 8259's `number` grammar.
  public let literal: String

  /// Validates `literal` against RFC 8259's number grammar.
  public init?(literal: String) {
    guard Self.isValidLiteral(literal.utf8) else { return nil }
    self.literal = literal
  }

  init(uncheckedLiteral literal: String) { self.literal = literal }

  public init(_ value: Int) { literal = String(value) }
  public init(_ value: Int64) { literal = String(value) }
  public init(_ value: UInt64) { literal = String(value) }

  /// The RFC 8785 / ES6 form of a finite double; throws for NaN and infinities.
  public init(_ value: Double) throws {
    literal = try ES6NumberFormatter.format(value)
  }

  public var description: String { literal }

  /// The nearest IEEE 754 double (correctly rounded; ±infinity when out of range).
  public var double: Double { Double(literal) ?? .nan }

  /// The value as an integer when it is one and fits (`1e3` is 1000; `1.5` is nil).
  public var int64: Int64? {
    let parts = decimal
    guard parts.exponent >= 0, parts.digits.count + parts.exponent <= 19 else {
      return parts.digits.isEmpty ? 0 : nil
    }
    var magnitude: UInt64 = 0
    for digit in parts.digits.utf8 {
      let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
      let (m2, o2) = m1.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
      guard !o1, !o2 else { return nil }
      magnitude = m2
    }
    for _ in 0..<parts.exponent {
      let (m, o) = magnitude.multipliedReportingOverflow(by: 10)
      guard !o else { return nil }
      magnitude = m
    }
    if parts.isNegative {
      return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
    }
    return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
  }

  /// The exact decimal value: `digits × 10^exponent`, normalised.
  public var decimal: DecimalParts { DecimalParts(literal: literal) }

  public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool { lhs.decimal == rhs.decimal }
  public func hash(into hasher: inout Hasher) { hasher.combine(decimal) }

  /// The RFC 8785 serialization: the ES6 form of the nearest double. With `exact`, a number whose
  /// ES6 form has a different decimal value (more digits than a double holds) is an error
  /// instead of being silently rounded.
  public func canonicalLiteral(exact: Bool) throws(JSONError) -> String {
    let value = double
    guard value.isFinite else {
      throw JSONError(.numberOutOfRange, "the number \(literal.prefix(40)) is beyond the range of an IEEE 754 double")
    }
    let canonical = try ES6NumberFormatter.format(value)
    if exact && DecimalParts(literal: canonical) != decimal {
      throw JSONError(
        .inexactNumber,
        "the number \(literal.prefix(40)) cannot be canonicalized without changing its value (a double holds \(canonical))")
    }
    return canonical
  }

  /// RFC 8259: `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`
  static func isValidLiteral(_ utf8: String.UTF8View) -> Bool {
    let bytes = Array(utf8)
    return bytes.withUnsafeBytes { numberLength($0, from: 0) == bytes.count }
  }

  /// The length of the number literal starting at `start`, or nil when none starts there.
  static func numberLength(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    var index = start
    func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard isDigit(index) else { return nil }
    if bytes[index] == 0x30 {
      index += 1
    } else {
      while isDigit(index) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard isDigit(index) else { return nil }
      while isDigit(index) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard isDigit(index) else { return nil }
      while isDigit(index) { index += 1 }
    }
    return index - start
  }
}

/// The exact value of a decimal literal as `(-1)^isNegative × digits × 10^exponent`, normalised:
/// no leading or trailing zeros in `digits`, and zero is `digits == ""`, never negative.
public struct DecimalParts: Hashable, Sendable {
  public var isNegative: Bool
  /// Significant decimal digits, without leading or trailing zeros ("" for zero).
  public var digits: String
  public var exponent: Int

  /// Exponents beyond this saturate: such numbers are far outside any double anyway.
  static let exponentLimit = 1 << 40

  /// Parses a literal of the JSON number grammar (also what `ES6NumberFormatter` writes).
  public init(literal: String) {
    var negative = false
    var significand: [UInt8] = []
    var fractionDigits = 0
    var exponent = 0
    var exponentNegative = false
    var state = 0  // 0 integer part, 1 fraction, 2 exponent
    for byte in literal.utf8 {
      switch byte {
      case UInt8(ascii: "-") where state == 0: negative = true
      case UInt8(ascii: "-"): exponentNegative = true
      case UInt8(ascii: "+"): break
      case UInt8(ascii: "."): state = 1
      case UInt8(ascii: "e"), UInt8(ascii: "E"): state = 2
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        if state == 2 {
          exponent = min(exponent * 10 + Int(byte - 0x30), Self.exponentLimit)
        } else {
          if state == 1 { fractionDigits += 1 }
          if !(significand.isEmpty && byte == 0x30) { significand.append(byte) }
        }
      default: break
      }
    }
    exponent = (exponentNegative ? -exponent : exponent) - fractionDigits
    while let last = significand.last, last == 0x30 {
      significand.removeLast()
      exponent += 1
    }
    if significand.isEmpty {
      self.isNegative = false
      self.digits = ""
      self.exponent = 0
    } else {
      self.isNegative = negative
      self.digits = String(decoding: significand, as: UTF8.self)
      self.exponent = exponent
    }
  }
}
