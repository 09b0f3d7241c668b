/// How Loam identifiers travel in EPCIS, where identifiers are URIs: a lot, field, party or item id
/// that is already a URI (`urn:…`, `http(s)://…`) is used as is; any other id `X` is written
/// `urn:loam:<kind>:X` with X percent-encoded, and read back exactly. EPC URNs read on import become
/// their canonical GS1 Digital Link, so one lot has one id however a partner writes it.
public enum LoamURI {
  public enum Kind: String, Sendable { case lot, field, party, item }

  /// The Loam extension namespace (prefix `loam`) for data EPCIS has no field for.
  public static let namespace = "urn:loam:epcis:"

  public static func uri(_ id: String, _ kind: Kind) -> String {
    if id.hasPrefix("urn:") || id.hasPrefix("https://") || id.hasPrefix("http://") { return id }
    return "urn:loam:\(kind.rawValue):" + percentEncoded(id)
  }

  /// The Loam id a URI stands for.
  public static func id(_ uri: String, _ kind: Kind) -> String {
    let prefix = "urn:loam:\(kind.rawValue):"
    if uri.hasPrefix(prefix), let decoded = percentDecoded(String(uri.dropFirst(prefix.utf8.count))) {
      return decoded
    }
    if uri.hasPrefix("urn:epc:"), let link = DigitalLink.canonical(uri) { return link }
    return uri
  }

  static func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = Array("0123456789ABCDEF".utf8)
        out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
      }
    }
    return out
  }

  static func percentDecoded(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next(), let low = iterator.next(),
        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
      else { return nil }
      bytes.append(value)
    }
    return String(validating: bytes, as: UTF8.self)
  }
}
