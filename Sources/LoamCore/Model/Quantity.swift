/// A quantity: an exact decimal value and a UN/ECE Recommendation 20 unit code.
public struct Quantity: Hashable, Sendable, CustomStringConvertible {
  public var value: ExactDecimal
  public var unit: String

  public init(_ value: ExactDecimal, _ unit: String) {
    self.value = value
    self.unit = unit
  }

  public var description: String { "\(value) \(unit)" }

  /// This quantity in `target`'s unit when both measure the same dimension (kg and t);
  /// nil for different dimensions or unknown units.
  public func converted(to target: String) -> ExactDecimal? {
    if unit == target { return value }
    guard let from = UnitCode.known[unit], let to = UnitCode.known[target], from.dimension == to.dimension else {
      return nil
    }
    return value.shifted(by: from.powerOfTen - to.powerOfTen)
  }
}

/// The UN/ECE Rec 20 codes Loam converts between (each a power of ten of its dimension's base).
public enum UnitCode {
  public enum Dimension: String, Sendable { case mass, volume, count, area }

  public struct Info: Sendable {
    public var dimension: Dimension
    public var powerOfTen: Int
  }

  public static let known: [String: Info] = [
    "GRM": Info(dimension: .mass, powerOfTen: -3),
    "KGM": Info(dimension: .mass, powerOfTen: 0),
    "TNE": Info(dimension: .mass, powerOfTen: 3),
    "MLT": Info(dimension: .volume, powerOfTen: -3),
    "LTR": Info(dimension: .volume, powerOfTen: 0),
    "HLT": Info(dimension: .volume, powerOfTen: 2),
    "MTQ": Info(dimension: .volume, powerOfTen: 3),
    "H87": Info(dimension: .count, powerOfTen: 0),
    "C62": Info(dimension: .count, powerOfTen: 0),
    "MTK": Info(dimension: .area, powerOfTen: 0),
    "HAR": Info(dimension: .area, powerOfTen: 4),
  ]

  /// Rec 20 codes are 2–3 upper-case letters or digits.
  public static func isWellFormed(_ code: String) -> Bool {
    (2...3).contains(code.utf8.count) && code.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
  }
}
