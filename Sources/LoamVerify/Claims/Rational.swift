public import LoamCore

/// An exact fraction, for shares that decimals cannot hold (a third of a blend). Overflow is an
/// error, never a rounding.
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
  public private(set) var numerator: Int128
  public private(set) var denominator: Int128

  public static let zero = Rational(0)
  public static let one = Rational(1)

  public init(_ integer: Int128) {
    numerator = integer
    denominator = 1
  }

  public init?(_ numerator: Int128, _ denominator: Int128) {
    guard denominator != 0 else { return nil }
    let sign: Int128 = denominator < 0 ? -1 : 1
    let divisor = Self.gcd(numerator.magnitude, denominator.magnitude)
    self.numerator = sign * numerator / Int128(divisor)
    self.denominator = sign * denominator / Int128(divisor)
  }

  public init?(_ decimal: ExactDecimal) {
    guard let scale = Int128(1).powerOfTen(decimal.scale) else { return nil }
    self.init(decimal.significand, scale)
  }

  static func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x == 0 ? 1 : x
  }

  public static func + (lhs: Rational, rhs: Rational) -> Rational? {
    let divisor = Int128(gcd(lhs.denominator.magnitude, rhs.denominator.magnitude))
    let (l, o1) = lhs.numerator.multipliedReportingOverflow(by: rhs.denominator / divisor)
    let (r, o2) = rhs.numerator.multipliedReportingOverflow(by: lhs.denominator / divisor)
    let (n, o3) = l.addingReportingOverflow(r)
    let (d, o4) = lhs.denominator.multipliedReportingOverflow(by: rhs.denominator / divisor)
    guard !(o1 || o2 || o3 || o4) else { return nil }
    return Rational(n, d)
  }

  public static func * (lhs: Rational, rhs: Rational) -> Rational? {
    let a = gcd(lhs.numerator.magnitude, rhs.denominator.magnitude)
    let b = gcd(rhs.numerator.magnitude, lhs.denominator.magnitude)
    let (n, o1) = (lhs.numerator / Int128(a)).multipliedReportingOverflow(by: rhs.numerator / Int128(b))
    let (d, o2) = (lhs.denominator / Int128(b)).multipliedReportingOverflow(by: rhs.denominator / Int128(a))
    guard !(o1 || o2) else { return nil }
    return Rational(n, d)
  }

  public static func / (lhs: Rational, rhs: Rational) -> Rational? {
    guard rhs.numerator != 0, let inverse = Rational(rhs.denominator, rhs.numerator) else { return nil }
    return lhs * inverse
  }

  public static func < (lhs: Rational, rhs: Rational) -> Bool {
    // Compare a/b < c/d as a·d < c·b (denominators are positive); fall back to doubles on overflow.
    let (l, o1) = lhs.numerator.multipliedReportingOverflow(by: rhs.denominator)
    let (r, o2) = rhs.numerator.multipliedReportingOverflow(by: lhs.denominator)
    if o1 || o2 { return lhs.approximate < rhs.approximate }
    return l < r
  }

  public var approximate: Double { Double(numerator) / Double(denominator) }

  /// The value as a percentage rounded half-up to `digits` decimals, e.g. "60.00".
  public func percent(digits: Int = 2) -> String {
    guard let scale = Int128(1).powerOfTen(digits + 2) else { return "\(approximate * 100)" }
    let (scaled, overflow) = numerator.multipliedReportingOverflow(by: scale)
    if overflow { return String(approximate * 100) }
    let rounded = (scaled * 2 + denominator) / (2 * denominator)
    let text = ExactDecimal(significand: rounded, scale: digits).description
    guard let point = text.firstIndex(of: ".") else {
      return digits > 0 ? text + "." + String(repeating: "0", count: digits) : text
    }
    let decimals = text.distance(from: text.index(after: point), to: text.endIndex)
    return text + String(repeating: "0", count: max(0, digits - decimals))
  }

  /// Nearest exact decimal with `digits` fraction digits (half-up), for quantities.
  public func decimal(digits: Int = 6) -> ExactDecimal {
    guard let scale = Int128(1).powerOfTen(digits) else { return .zero }
    let (scaled, overflow) = numerator.multipliedReportingOverflow(by: scale)
    if overflow { return .zero }
    return ExactDecimal(significand: (scaled * 2 + denominator) / (2 * denominator), scale: digits)
  }

  public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}

extension Int128 {
  func powerOfTen(_ exponent: Int) -> Int128? {
    var value = self
    for _ in 0..<exponent {
      let (next, overflow) = value.multipliedReportingOverflow(by: 10)
      if overflow { return nil }
      value = next
    }
    return value
  }
}
