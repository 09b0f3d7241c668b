/// An instant as RFC 3339 in UTC with `Z` (`2026-09-14T07:31:02Z`, optionally with a fraction of
/// a second). Ordered; formats back to its canonical text.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// Seconds since 1970-01-01T00:00:00Z.
  public var seconds: Int64
  /// Nanoseconds within the second (0..<1_000_000_000).
  public var nanoseconds: Int32

  public init(seconds: Int64, nanoseconds: Int32 = 0) {
    self.seconds = seconds
    self.nanoseconds = nanoseconds
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (years 0001–9999, fraction up to 9 digits).
  public init?(_ text: String) {
    var text = text
    guard let parsed = text.withUTF8({ Timestamp(utf8: $0) }) else { return nil }
    self = parsed
  }

  /// Parses the UTF-8 bytes of `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
  public init?(utf8 b: UnsafeBufferPointer<UInt8>) {
    func digits(_ at: Int, _ count: Int) -> Int? {
      guard at + count <= b.count else { return nil }
      var value = 0
      for index in at..<(at + count) {
        let digit = b[index] &- 0x30
        guard digit < 10 else { return nil }
        value = value * 10 + Int(digit)
      }
      return value
    }
    guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
      b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[b.count - 1] == UInt8(ascii: "Z"),
      let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
      let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
      year >= 1, (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
      hour < 24, minute < 60, second < 60
    else { return nil }
    var nanos = 0
    if b.count > 20 {
      guard b[19] == UInt8(ascii: "."), b.count - 21 >= 1, b.count - 21 <= 9, let fraction = digits(20, b.count - 21) else {
        return nil
      }
      nanos = fraction
      for _ in 0..<(9 - (b.count - 21)) { nanos *= 10 }
    } else if b.count != 20 {
      return nil
    }
    let days = Self.daysFromCivil(year: year, month: month, day: day)
    seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    nanoseconds = Int32(nanos)
  }

  /// True when bytes that parse as a timestamp are exactly its `description`: no fraction, or a
  /// fraction without trailing zeros.
  public static func isCanonical(utf8 b: UnsafeBufferPointer<UInt8>) -> Bool {
    b.count == 20 || (b.count > 21 && b[b.count - 2] != UInt8(ascii: "0"))
  }

  public var description: String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(30)
    appendDescription(to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends the canonical text (`description`) as UTF-8, without building strings on the way.
  public func appendDescription(to out: inout [UInt8]) {
    let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    let secondsOfDay = Int(seconds - Int64(days) * 86_400)
    let (year, month, day) = Self.civilFromDays(days)
    func digits(_ value: Int, _ count: Int) {
      var divisor = 1
      for _ in 1..<count { divisor *= 10 }
      var rest = value
      while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10))
        rest %= divisor
        divisor /= 10
      }
    }
    if year < 0 {
      var text = String(year)
      while text.utf8.count < 4 { text = "0" + text }
      out.append(contentsOf: text.utf8)
    } else {
      if year > 9999 { out.append(contentsOf: String(year / 10_000).utf8) }
      digits(year % 10_000, 4)
    }
    out.append(UInt8(ascii: "-"))
    digits(month, 2)
    out.append(UInt8(ascii: "-"))
    digits(day, 2)
    out.append(UInt8(ascii: "T"))
    digits(secondsOfDay / 3600, 2)
    out.append(UInt8(ascii: ":"))
    digits(secondsOfDay / 60 % 60, 2)
    out.append(UInt8(ascii: ":"))
    digits(secondsOfDay % 60, 2)
    if nanoseconds != 0 {
      var fraction = Int(nanoseconds)
      var count = 9
      while fraction % 10 == 0 {
        fraction /= 10
        count -= 1
      }
      out.append(UInt8(ascii: "."))
      digits(fraction, count)
    }
    out.append(UInt8(ascii: "Z"))
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
  }

  public func adding(seconds delta: Int64) -> Timestamp { Timestamp(seconds: seconds + delta, nanoseconds: nanoseconds) }

  /// The same time of day `months` calendar months later (earlier when negative), the day clamped
  /// to the month's length (2026-03-31 minus one month is 2026-02-28).
  public func adding(months: Int) -> Timestamp {
    let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    let secondsOfDay = seconds - Int64(days) * 86_400
    let (year, month, day) = Self.civilFromDays(days)
    let total = year * 12 + (month - 1) + months
    let newYear = total >= 0 ? total / 12 : (total - 11) / 12
    let newMonth = total - newYear * 12 + 1
    let newDay = min(day, Self.daysIn(month: newMonth, year: newYear))
    return Timestamp(
      seconds: Int64(Self.daysFromCivil(year: newYear, month: newMonth, day: newDay)) * 86_400 + secondsOfDay,
      nanoseconds: nanoseconds)
  }

  static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 (H. Hinnant's algorithm).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
