/// Writes a double the way ECMAScript's `Number.prototype.toString` does, which RFC 8785
/// requires for canonical JSON: the shortest digits that round-trip, plain notation for
/// 1e-7 < |x| < 1e21, exponent notation (`1e+21`, `1.5e-7`) outside it, and `0` for ±0.
enum ES6NumberFormatter {
  static func format(_ value: Double) throws(JSONError) -> String {
    guard value.isFinite else {
      throw JSONError(.numberOutOfRange, "NaN and infinities have no JSON form")
    }
    if value == 0 { return "0" }
    if value < 0 { return "-" + (try format(-value)) }
    // Swift's description gives the shortest round-tripping digits, closest to the value
    // (the same digits ES6 asks for); only the layout differs.
    let (digits, pointPosition) = shortestDigits(value)
    let k = digits.count
    let n = pointPosition
    if k <= n && n <= 21 {
      return String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: n - k)
    }
    if 0 < n && n <= 21 {
      return String(decoding: digits[..<n], as: UTF8.self) + "." + String(decoding: digits[n...], as: UTF8.self)
    }
    if -6 < n && n <= 0 {
      return "0." + String(repeating: "0", count: -n) + String(decoding: digits, as: UTF8.self)
    }
    let exponent = n - 1
    let sign = exponent < 0 ? "-" : "+"
    let mantissa =
      k == 1
      ? String(decoding: digits, as: UTF8.self)
      : String(decoding: digits[..<1], as: UTF8.self) + "." + String(decoding: digits[1...], as: UTF8.self)
    return mantissa + "e" + sign + String(abs(exponent))
  }

  /// The significant digits `d1…dk` and `n` such that value = 0.d1…dk × 10^n.
  static func shortestDigits(_ value: Double) -> (digits: [UInt8], pointPosition: Int) {
    var digits: [UInt8] = []
    var pointPosition = 0
    var seenPoint = false
    var exponent = 0
    var exponentNegative = false
    var inExponent = false
    for byte in value.description.utf8 {
      switch byte {
      case UInt8(ascii: "."): seenPoint = true
      case UInt8(ascii: "e"): inExponent = true
      case UInt8(ascii: "-") where inExponent: exponentNegative = true
      case UInt8(ascii: "+"): break
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        if inExponent {
          exponent = exponent * 10 + Int(byte - 0x30)
        } else if digits.isEmpty && byte == 0x30 {
          if seenPoint { pointPosition -= 1 }  // 0.00ddd: each leading fraction zero moves the point
        } else {
          digits.append(byte)
          if !seenPoint { pointPosition += 1 }
        }
      default: break
      }
    }
    while digits.last == 0x30 {
      digits.removeLast()
    }
    return (digits, pointPosition + (exponentNegative ? -exponent : exponent))
  }
}
