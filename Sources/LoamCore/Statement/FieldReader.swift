import Glibc
import LoamCrypto

/// Reads the members of one JSON object of a statement, naming the JSON path in every error.
/// Member names are literals (`StaticString`): a member is found by comparing its bytes with the
/// literal's, without making a `String` of the literal or copying members (every statement of a
/// replay or a verification goes through here; `String` comparisons were most of its cost).
struct FieldReader {
  let object: JSONObject
  let path: FieldPath

  init(_ value: JSONValue?, path: FieldPath) throws {
    guard let object = value?.objectValue else {
      throw StatementError("statement.malformed", "expected an object", path: path.text)
    }
    self.object = object
    self.path = path
  }

  /// The path of member `key`, spelled out (for a message).
  func at(_ key: StaticString) -> String { path.member(key).text }

  /// The path of item `index` of the array member `key`.
  func item(_ key: StaticString, _ index: Int) -> FieldPath { path.member(key, index: index) }

  func fail(_ key: StaticString, _ message: String) -> StatementError {
    StatementError("statement.malformed", message, path: at(key))
  }

  /// True when the member name `name` is `key`, byte for byte.
  @inline(__always)
  static func isNamed(_ name: String, _ key: StaticString) -> Bool {
    let count = key.utf8CodeUnitCount
    guard name.utf8.count == count else { return false }
    var name = name
    return name.withUTF8 { count == 0 || memcmp($0.baseAddress!, key.utf8Start, count) == 0 }
  }

  /// The value of the member named `key`.
  func value(_ key: StaticString) -> JSONValue? {
    let members = object.members
    for index in members.indices where Self.isNamed(members[index].key, key) { return members[index].value }
    return nil
  }

  /// Refuses members not in `allowed` (a typo must not silently drop data).
  func allowOnly(_ allowed: [StaticString], _ more: [StaticString] = []) throws {
    let members = object.members
    for index in members.indices {
      let name = members[index].key
      if allowed.contains(where: { Self.isNamed(name, $0) }) || more.contains(where: { Self.isNamed(name, $0) }) { continue }
      throw StatementError("statement.malformed", "unknown member \"\(name)\"", path: path.text)
    }
  }

  func has(_ key: StaticString) -> Bool { value(key) != nil }

  func string(_ key: StaticString) throws -> String {
    guard let value = value(key) else { throw fail(key, "is required") }
    guard let text = value.stringValue, !text.isEmpty else { throw fail(key, "must be a non-empty string") }
    return text
  }

  func optionalString(_ key: StaticString) throws -> String? {
    guard value(key) != nil else { return nil }
    return try string(key)
  }

  func identifier(_ key: StaticString) throws -> String {
    let text = try string(key)
    guard Identifier.isValid(text) else {
      throw fail(key, "must be 1–256 printable characters without whitespace")
    }
    return text
  }

  func time(_ key: StaticString) throws -> Timestamp {
    let text = try string(key)
    guard let time = Timestamp(text) else {
      throw fail(key, "must be an RFC 3339 UTC time such as 2026-09-14T07:31:02Z")
    }
    return time
  }

  func number(_ key: StaticString) throws -> ExactDecimal {
    guard let value = value(key) else { throw fail(key, "is required") }
    guard let number = value.numberValue, let decimal = ExactDecimal(number) else {
      throw fail(key, "must be a number with at most 38 significant digits")
    }
    return decimal
  }

  func quantity(_ key: StaticString) throws -> Quantity {
    let reader = try FieldReader(value(key), path: path.member(key))
    try reader.allowOnly(["value", "uom"])
    let value = try reader.number("value")
    let unit = try reader.string("uom")
    guard UnitCode.isWellFormed(unit) else {
      throw reader.fail("uom", "must be a UN/ECE Rec 20 unit code such as KGM, TNE, LTR or H87")
    }
    return Quantity(value, unit)
  }

  /// A strictly positive quantity.
  func positiveQuantity(_ key: StaticString) throws -> Quantity {
    let quantity = try quantity(key)
    guard quantity.value.isPositive else { throw fail(key, "must be greater than zero") }
    return quantity
  }

  func array(_ key: StaticString, allowEmpty: Bool = false) throws -> [JSONValue] {
    guard let value = value(key) else { throw fail(key, "is required") }
    guard let array = value.arrayValue else { throw fail(key, "must be an array") }
    if !allowEmpty && array.isEmpty { throw fail(key, "must not be empty") }
    return array
  }

  func optionalArray(_ key: StaticString) throws -> [JSONValue] {
    value(key) == nil ? [] : try array(key, allowEmpty: true)
  }

  func reader(_ key: StaticString) throws -> FieldReader {
    guard value(key) != nil else { throw fail(key, "is required") }
    return try FieldReader(value(key), path: path.member(key))
  }

  func objectValue(_ key: StaticString) throws -> JSONObject {
    guard let value = value(key) else { throw fail(key, "is required") }
    guard let object = value.objectValue else { throw fail(key, "must be an object") }
    return object
  }

  func stringArray(_ key: StaticString, allowEmpty: Bool = false) throws -> [String] {
    try array(key, allowEmpty: allowEmpty).enumerated().map { index, item in
      guard let text = item.stringValue, !text.isEmpty else {
        throw StatementError("statement.malformed", "must be a non-empty string", path: self.item(key, index).text)
      }
      return text
    }
  }

  func publicKeys(_ key: StaticString, allowEmpty: Bool = false) throws -> [PublicKey] {
    try stringArray(key, allowEmpty: allowEmpty).enumerated().map { index, pem in
      do {
        return try PublicKey(pem: pem)
      } catch {
        throw StatementError("statement.malformed", "not a usable public key: \(error)", path: self.item(key, index).text)
      }
    }
  }

  func evidence(_ key: StaticString = "evidence") throws -> [Evidence] {
    try optionalArray(key).enumerated().map { index, item in
      let reader = try FieldReader(item, path: self.item(key, index))
      try reader.allowOnly(["sha256", "uri", "mediaType"])
      let digest = try reader.string("sha256")
      guard Hex.isLowercase(digest, byteCount: 32) else { throw reader.fail("sha256", "must be 64 lowercase hex digits") }
      return Evidence(sha256: digest, uri: try reader.optionalString("uri"), mediaType: try reader.optionalString("mediaType"))
    }
  }
}

/// Where a reader's object is in a statement (`$.inputs[0].quantity`), spelled out only for a
/// message: building the text of every nested reader's path was a tenth of a statement's parse.
/// The last member name and index stay unspelled; a reader nested deeper spells its parent's.
struct FieldPath {
  private let parent: String
  private let key: StaticString?
  private let index: Int?

  /// The statement itself.
  static let root = FieldPath(parent: "$", key: nil, index: nil)

  private init(parent: String, key: StaticString?, index: Int?) {
    self.parent = parent
    self.key = key
    self.index = index
  }

  /// The member `key` of this object, or its item `index` when it is an array.
  func member(_ key: StaticString, index: Int? = nil) -> FieldPath {
    FieldPath(parent: self.key == nil ? parent : text, key: key, index: index)
  }

  var text: String {
    guard let key else { return parent }
    let named = "\(parent).\(key)"
    return index.map { "\(named)[\($0)]" } ?? named
  }
}
