/// Canonical GS1 Digital Link URIs, as the EPCIS Event Hash ID (CBV 2.0) needs them: EPC URNs
/// (`urn:epc:id:…`, `urn:epc:class:lgtin:…`, `urn:epc:idpat:…`) become `https://id.gs1.org/…` with
/// their check digit; Digital Link URIs on any domain move to `id.gs1.org`, lose their query string
/// and keep only their finest level of identification (a serial wins over a lot; a CPV is dropped).
///
/// Anything that is not a GS1 identifier comes back nil, and the caller keeps the value as written.
public enum DigitalLink {
  public static func canonical(_ uri: String) -> String? {
    if uri.hasPrefix("urn:epc:") { return fromEPC(uri) }
    if uri.hasPrefix("https://") || uri.hasPrefix("http://") { return fromWeb(uri) }
    return nil
  }

  // MARK: EPC URNs (GS1 EPC Tag Data Standard, §6–8)

  private static func fromEPC(_ uri: String) -> String? {
    let parts = uri.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
    guard parts.count == 5 else { return nil }
    let family = parts[2]
    let scheme = String(parts[3])
    let body = String(parts[4])
    switch family {
    case "id": return fromEPCID(scheme, body)
    case "class": return scheme == "lgtin" ? fromLGTIN(body) : nil
    case "idpat": return fromPattern(scheme, body)
    default: return nil
    }
  }

  private static func fromEPCID(_ scheme: String, _ body: String) -> String? {
    switch scheme {
    case "sgtin":
      guard let (gtin, serial) = gtinAndRest(body), isComponent(serial, maximum: 20) else { return nil }
      return "01/\(gtin)/21/\(encode(serial))".gs1
    case "sscc":
      guard let (prefix, reference) = twoParts(body), allDigits(reference), prefix.count + reference.count == 17
      else { return nil }
      return "00/\(withCheckDigit(String(reference.prefix(1)) + prefix + reference.dropFirst()))".gs1
    case "sgln":
      guard let (gln, extensionPart) = keyAndRest(body, keyLength: 12), isComponent(extensionPart, maximum: 20) else {
        return nil
      }
      return extensionPart == "0" ? "414/\(gln)".gs1 : "414/\(gln)/254/\(encode(extensionPart))".gs1
    case "grai":
      guard let (key, serial) = keyAndRest(body, keyLength: 12, leading: "0"), isComponent(serial, maximum: 16) else {
        return nil
      }
      return "8003/\(key)\(encode(serial))".gs1
    case "giai":
      guard let (prefix, reference) = twoParts(body), isComponent(reference, maximum: 30 - prefix.count) else { return nil }
      return "8004/\(prefix)\(encode(reference))".gs1
    case "gsrn", "gsrnp", "gsin":
      let total = scheme == "gsin" ? 16 : 17
      guard let (prefix, reference) = twoParts(body), allDigits(reference), prefix.count + reference.count == total
      else { return nil }
      let ai = ["gsrn": "8018", "gsrnp": "8017", "gsin": "402"][scheme]!
      return "\(ai)/\(withCheckDigit(prefix + reference))".gs1
    case "gdti", "sgcn":
      guard let (key, serial) = keyAndRest(body, keyLength: 12), isComponent(serial, maximum: 17) else { return nil }
      if scheme == "sgcn" && !(allDigits(serial) && serial.count <= 12) { return nil }
      return "\(scheme == "gdti" ? "253" : "255")/\(key)\(encode(serial))".gs1
    case "cpi":
      guard let (prefix, rest) = twoParts(body), let dot = rest.lastIndex(of: ".") else { return nil }
      let component = rest[..<dot]
      let serial = rest[rest.index(after: dot)...]
      guard !serial.isEmpty, serial.count <= 12, allDigits(serial), isComponent(component, maximum: 30 - prefix.count)
      else { return nil }
      return "8010/\(encode(prefix + component))/8011/\(serial)".gs1
    case "ginc":
      guard let (prefix, reference) = twoParts(body), isComponent(reference, maximum: 30 - prefix.count) else { return nil }
      return "401/\(prefix)\(encode(reference))".gs1
    case "itip":
      let fields = body.split(separator: ".", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 5, let gtin = gtin(fields[0], fields[1]), fields[2].count == 2, allDigits(fields[2]),
        fields[3].count == 2, allDigits(fields[3]), isComponent(fields[4], maximum: 20)
      else { return nil }
      return "8006/\(gtin)\(fields[2])\(fields[3])/21/\(encode(fields[4]))".gs1
    case "upui":
      guard let (gtin, serial) = gtinAndRest(body), isComponent(serial, maximum: 28) else { return nil }
      return "01/\(gtin)/235/\(encode(serial))".gs1
    case "pgln":
      guard let (prefix, reference) = twoParts(body), allDigits(reference), prefix.count + reference.count == 12
      else { return nil }
      return "417/\(withCheckDigit(prefix + reference))".gs1
    default:
      return nil
    }
  }

  private static func fromLGTIN(_ body: String) -> String? {
    guard let (gtin, lot) = gtinAndRest(body), isComponent(lot, maximum: 20) else { return nil }
    return "01/\(gtin)/10/\(encode(lot))".gs1
  }

  private static func fromPattern(_ scheme: String, _ body: String) -> String? {
    guard body.hasSuffix(".*") else { return nil }
    let fields = body.dropLast(2).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    switch scheme {
    case "sgtin", "upui":
      guard fields.count == 2, let gtin = gtin(fields[0], fields[1]) else { return nil }
      return "01/\(gtin)".gs1
    case "grai", "gdti", "sgcn":
      guard fields.count == 2, allDigits(fields[0]), allDigits(fields[1]), fields[0].count + fields[1].count == 12
      else { return nil }
      let key = withCheckDigit((scheme == "grai" ? "0" : "") + fields[0] + fields[1])
      return "\(["grai": "8003", "gdti": "253", "sgcn": "255"][scheme]!)/\(key)".gs1
    case "cpi":
      guard fields.count == 2, allDigits(fields[0]), isComponent(fields[1], maximum: 30 - fields[0].count) else { return nil }
      return "8010/\(encode(fields[0] + fields[1]))".gs1
    case "itip":
      guard fields.count == 4, let gtin = gtin(fields[0], fields[1]) else { return nil }
      return "8006/\(gtin)\(fields[2])\(fields[3])".gs1
    default:
      return nil
    }
  }

  /// `CompanyPrefix.IndicatorAndItemReference.rest` → (GTIN-14, rest).
  private static func gtinAndRest(_ body: String) -> (String, String)? {
    let fields = body.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    guard fields.count == 3, !fields[2].isEmpty, let gtin = gtin(fields[0], fields[1]) else { return nil }
    return (gtin, fields[2])
  }

  private static func gtin(_ prefix: String, _ itemReference: String) -> String? {
    guard (6...12).contains(prefix.count), allDigits(prefix), allDigits(itemReference), !itemReference.isEmpty,
      prefix.count + itemReference.count == 13
    else { return nil }
    return withCheckDigit(String(itemReference.prefix(1)) + prefix + itemReference.dropFirst())
  }

  /// `CompanyPrefix.Reference.rest` where prefix + reference make a `keyLength`-digit key → (key with
  /// check digit, rest).
  private static func keyAndRest(_ body: String, keyLength: Int, leading: String = "") -> (String, String)? {
    let fields = body.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    guard fields.count == 3, (6...12).contains(fields[0].count), allDigits(fields[0]), allDigits(fields[1]),
      fields[0].count + fields[1].count == keyLength, !fields[2].isEmpty
    else { return nil }
    return (withCheckDigit(leading + fields[0] + fields[1]), fields[2])
  }

  private static func twoParts(_ body: String) -> (String, String)? {
    let fields = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    guard fields.count == 2, (6...12).contains(fields[0].count), allDigits(fields[0]) else { return nil }
    return (fields[0], fields[1])
  }

  // MARK: Digital Link URIs (GS1 Digital Link 1.2, §4.11)

  private static let shortNames: [Substring: Substring] = [
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017", "gsrn": "8018",
    "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004",
    "cpv": "22", "lot": "10", "ser": "21",
  ]
  private static let primaryKeys: Set<Substring> = [
    "01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401", "402", "8003", "8004",
  ]
  /// The qualifiers kept for each primary key, finest first: only one survives.
  private static let finestQualifiers: [Substring: [Substring]] = [
    "01": ["21", "10", "235"], "8006": ["21", "10"], "414": ["254"], "8010": ["8011"],
  ]

  private static func fromWeb(_ uri: String) -> String? {
    var rest = Substring(uri)
    if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
    rest = rest.drop { $0 != "/" }.dropFirst(2)  // the scheme's "//"
    guard let pathStart = rest.firstIndex(of: "/") else { return nil }
    var segments = rest[rest.index(after: pathStart)...].split(separator: "/", omittingEmptySubsequences: false)
    if segments.last == "" { segments.removeLast() }
    segments = segments.map { shortNames[$0] ?? $0 }
    guard let start = segments.firstIndex(where: { primaryKeys.contains($0) }) else { return nil }
    let tail = Array(segments[start...])
    guard tail.count % 2 == 0 else { return nil }
    let key = tail[0]
    var value = String(tail[1])
    var qualifiers: [Substring: Substring] = [:]
    for index in stride(from: 2, to: tail.count, by: 2) { qualifiers[tail[index]] = tail[index + 1] }
    if key == "01", [8, 12, 13].contains(value.count), allDigits(value) {
      value = String(repeating: "0", count: 14 - value.count) + value
    }
    guard validPrimaryKey(key, value) else { return nil }
    var text = "\(key)/\(value)"
    if let kept = finestQualifiers[key]?.first(where: { qualifiers[$0] != nil }) {
      text += "/\(kept)/\(qualifiers[kept]!)"
    }
    return text.gs1
  }

  private static func validPrimaryKey(_ key: Substring, _ value: String) -> Bool {
    func digits(_ count: Int) -> Bool { value.count == count && allDigits(value) }
    func digitsThen(_ count: Int, max: Int) -> Bool {
      value.count >= count && value.count <= count + max && allDigits(value.prefix(count))
    }
    switch key {
    case "00", "8006", "8017", "8018": return digits(18)
    case "01": return digits(14)
    case "414", "417": return digits(13)
    case "402": return digits(17)
    case "253": return digitsThen(13, max: 17)
    case "255": return digitsThen(13, max: 12) && allDigits(value)
    case "8003": return digitsThen(14, max: 16)
    default: return !value.isEmpty && value.count <= 30  // 401, 8004, 8010
    }
  }

  // MARK: Helpers

  /// An EPC URN component (serial, lot, reference): 1…`maximum` characters of GS1's URN-safe set
  /// `! ' ( ) * + , - . 0-9 : ; = A-Z _ a-z`, a `%xx` escape counting as one (EPC TDS 2.0 §5).
  static func isComponent(_ text: some StringProtocol, maximum: Int) -> Bool {
    let bytes = Array(text.utf8)
    var index = 0
    var count = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "%") {
        guard index + 2 < bytes.count, bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit else { return false }
        index += 3
      } else {
        let allowed =
          (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || "!'()*+,-.:;=_".utf8.contains(byte)
        guard allowed else { return false }
        index += 1
      }
      count += 1
    }
    return count >= 1 && count <= maximum
  }

  static func allDigits(_ text: some StringProtocol) -> Bool {
    text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
  }

  /// Appends the GS1 mod-10 check digit (weights 3, 1, 3 … from the right).
  static func withCheckDigit(_ digits: String) -> String {
    var sum = 0
    for (index, byte) in digits.utf8.reversed().enumerated() {
      sum += Int(byte - 0x30) * (index % 2 == 0 ? 3 : 1)
    }
    return digits + String((10 - sum % 10) % 10)
  }

  /// Percent-encodes the characters GS1 Digital Link (table 7-1) forbids raw but EPC URNs allow.
  private static func encode(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "!": out += "%21"
      case "(": out += "%28"
      case ")": out += "%29"
      case "*": out += "%2A"
      case "+": out += "%2B"
      case ",": out += "%2C"
      case ":": out += "%3A"
      default: out.append(character)
      }
    }
    return out
  }
}

extension String {
  fileprivate var gs1: String { "https://id.gs1.org/" + self }
}

extension UInt8 {
  fileprivate var isHexDigit: Bool {
    (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66)
  }
}
