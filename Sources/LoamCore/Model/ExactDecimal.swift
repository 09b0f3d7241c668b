public import LoamCrypto

/// An exact decimal number: `significand × 10^-scale`. Quantities are added and compared in this
/// type, never in binary floating point (DESIGN.md). Up to 38 significant digits.
public struct ExactDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
  public private(set) var significand: Int128
  /// Digits after the decimal point (0…38).
  public private(set) var scale: Int

  public static let maximumScale = 38
  public static let zero = ExactDecimal(significand: 0, scale: 0)

  public init(significand: Int128, scale: Int) {
    self.significand = significand
    self.scale = scale
    normalize()
  }

  public init(_ integer: Int) { self.init(significand: Int128(integer), scale: 0) }

  /// The exact value of a JSON number; nil when it needs more than 38 digits or a scale
  /// beyond 38.
  public init?(_ number: JSONNumber) {
    if let plain = Self.plain(number.literal) {
      self = plain
      return
    }
    let parts = number.decimal
    guard parts.digits.count <= 38 else { return nil }
    var value: Int128 = 0
    for digit in parts.digits.utf8 { value = value * 10 + Int128(digit - 0x30) }
    var scale = -parts.exponent
    if scale < 0 {
      guard parts.digits.count - scale <= 38 else { return nil }
      for _ in 0..<(-scale) { value *= 10 }
      scale = 0
    }
    guard scale <= Self.maximumScale else { return nil }
    self.init(significand: parts.isNegative ? -value : value, scale: scale)
  }

  /// A literal without an exponent and of at most 38 digits, read straight from its bytes (the
  /// quantities of nearly every statement); nil for anything else, which goes through `DecimalParts`.
  private static func plain(_ literal: String) -> ExactDecimal? {
    var value: Int128 = 0
    var digits = 0
    var scale = 0
    var fraction = false
    var negative = false
    for byte in literal.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        value = value &* 10 &+ Int128(byte &- 0x30)
        digits += 1
        if fraction { scale += 1 }
      case UInt8(ascii: "."): fraction = true
      case UInt8(ascii: "-") where digits == 0: negative = true
      default: return nil
      }
      if digits > 38 { return nil }
    }
    return ExactDecimal(significand: negative ? -value : value, scale: scale)
  }

  /// Parses plain decimal text (`-12.50`, `3`); nil otherwise.
  public init?(_ text: String) {
    guard let number = JSONNumber(literal: text), !text.contains("e"), !text.contains("E") else { return nil }
    self.init(number)
  }

  private mutating func normalize() {
    while scale > 0 && significand % 10 == 0 {
      significand /= 10
      scale -= 1
    }
    if significand == 0 { scale = 0 }
  }

  public var isNegative: Bool { significand < 0 }
  public var isZero: Bool { significand == 0 }
  public var isPositive: Bool { significand > 0 }

  /// Brings both to one scale; nil on overflow.
  static func aligned(_ a: ExactDecimal, _ b: ExactDecimal) -> (Int128, Int128, Int)? {
    let scale = max(a.scale, b.scale)
    guard let x = a.significand.scaled(by: scale - a.scale), let y = b.significand.scaled(by: scale - b.scale) else { return nil }
    return (x, y, scale)
  }

  /// nil on overflow.
  public func adding(_ other: ExactDecimal) -> ExactDecimal? {
    guard let (x, y, scale) = Self.aligned(self, other) else { return nil }
    let (sum, overflow) = x.addingReportingOverflow(y)
    return overflow ? nil : ExactDecimal(significand: sum, scale: scale)
  }

  public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
    adding(ExactDecimal(significand: -other.significand, scale: other.scale))
  }

  /// Multiplies by 10^power (power may be negative); nil on overflow or excessive scale.
  public func shifted(by power: Int) -> ExactDecimal? {
    if power >= 0 {
      guard let value = significand.scaled(by: power) else { return nil }
      return ExactDecimal(significand: value, scale: scale)
    }
    guard scale - power <= Self.maximumScale else { return nil }
    return ExactDecimal(significand: significand, scale: scale - power)
  }

  public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
    guard let (x, y, _) = aligned(lhs, rhs) else {
      // Only values near the limits overflow on alignment; compare as doubles of the parts.
      return lhs.approximate < rhs.approximate
    }
    return x < y
  }

  var approximate: Double { Double(significand) / pow10(scale) }

  /// Plain decimal text without exponent: `1250.5`, `-0.001`, `0`.
  public var description: String {
    let negative = significand < 0
    var digits = String(negative ? 0 - significand : significand)
    if scale > 0 {
      while digits.count <= scale { digits = "0" + digits }
      digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
    }
    return (negative ? "-" : "") + digits
  }

  /// The JSON number of this value.
  public var jsonNumber: JSONNumber { JSONNumber(literal: description)! }
}

private func pow10(_ n: Int) -> Double {
  var result = 1.0
  for _ in 0..<n { result *= 10 }
  return result
}

extension Int128 {
  /// self × 10^power, nil on overflow.
  func scaled(by power: Int) -> Int128? {
    var value = self
    for _ in 0..<power {
      let (next, overflow) = value.multipliedReportingOverflow(by: 10)
      if overflow { return nil }
      value = next
    }
    return value
  }
}
