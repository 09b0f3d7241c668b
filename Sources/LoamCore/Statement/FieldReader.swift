import LoamCrypto

/// Reads the members of one JSON object of a statement, naming the JSON path in every error.
struct FieldReader {
  let object: JSONObject
  let path: String

  init(_ value: JSONValue?, path: String) throws {
    guard let object = value?.objectValue else {
      throw StatementError("statement.malformed", "expected an object", path: path)
    }
    self.object = object
    self.path = path
  }

  func at(_ key: String) -> String { "\(path).\(key)" }

  func fail(_ key: String, _ message: String) -> StatementError {
    StatementError("statement.malformed", message, path: at(key))
  }

  /// Refuses members not in `allowed` (a typo must not silently drop data).
  /// (Arrays, not sets: a handful of names compared byte for byte costs less than hashing them,
  /// and a set literal is built anew on every call.)
  func allowOnly(_ allowed: [String], _ more: [String] = []) throws {
    for member in object.members
    where !allowed.contains(where: { $0.hasSameBytes(as: member.key) })
      && !more.contains(where: { $0.hasSameBytes(as: member.key) })
    {
      throw StatementError("statement.malformed", "unknown member \"\(member.key)\"", path: path)
    }
  }

  func has(_ key: String) -> Bool { object[key] != nil }

  func string(_ key: String) throws -> String {
    guard let value = object[key] else { throw fail(key, "is required") }
    guard let text = value.stringValue, !text.isEmpty else { throw fail(key, "must be a non-empty string") }
    return text
  }

  func optionalString(_ key: String) throws -> String? {
    guard object[key] != nil else { return nil }
    return try string(key)
  }

  func identifier(_ key: String) throws -> String {
    let text = try string(key)
    guard Identifier.isValid(text) else {
      throw fail(key, "must be 1–256 printable characters without whitespace")
    }
    return text
  }

  func time(_ key: String) throws -> Timestamp {
    let text = try string(key)
    guard let time = Timestamp(text) else {
      throw fail(key, "must be an RFC 3339 UTC time such as 2026-09-14T07:31:02Z")
    }
    return time
  }

  func number(_ key: String) throws -> ExactDecimal {
    guard let value = object[key] else { throw fail(key, "is required") }
    guard let number = value.numberValue, let decimal = ExactDecimal(number) else {
      throw fail(key, "must be a number with at most 38 significant digits")
    }
    return decimal
  }

  func quantity(_ key: String) throws -> Quantity {
    let reader = try FieldReader(object[key], path: at(key))
    try reader.allowOnly(["value", "uom"])
    let value = try reader.number("value")
    let unit = try reader.string("uom")
    guard UnitCode.isWellFormed(unit) else {
      throw reader.fail("uom", "must be a UN/ECE Rec 20 unit code such as KGM, TNE, LTR or H87")
    }
    return Quantity(value, unit)
  }

  /// A strictly positive quantity.
  func positiveQuantity(_ key: String) throws -> Quantity {
    let quantity = try quantity(key)
    guard quantity.value.isPositive else { throw fail(key, "must be greater than zero") }
    return quantity
  }

  func array(_ key: String, allowEmpty: Bool = false) throws -> [JSONValue] {
    guard let value = object[key] else { throw fail(key, "is required") }
    guard let array = value.arrayValue else { throw fail(key, "must be an array") }
    if !allowEmpty && array.isEmpty { throw fail(key, "must not be empty") }
    return array
  }

  func optionalArray(_ key: String) throws -> [JSONValue] {
    object[key] == nil ? [] : try array(key, allowEmpty: true)
  }

  func reader(_ key: String) throws -> FieldReader {
    guard object[key] != nil else { throw fail(key, "is required") }
    return try FieldReader(object[key], path: at(key))
  }

  func objectValue(_ key: String) throws -> JSONObject {
    guard let value = object[key] else { throw fail(key, "is required") }
    guard let object = value.objectValue else { throw fail(key, "must be an object") }
    return object
  }

  func stringArray(_ key: String, allowEmpty: Bool = false) throws -> [String] {
    try array(key, allowEmpty: allowEmpty).enumerated().map { index, item in
      guard let text = item.stringValue, !text.isEmpty else {
        throw StatementError("statement.malformed", "must be a non-empty string", path: "\(at(key))[\(index)]")
      }
      return text
    }
  }

  func publicKeys(_ key: String, allowEmpty: Bool = false) throws -> [PublicKey] {
    try stringArray(key, allowEmpty: allowEmpty).enumerated().map { index, pem in
      do {
        return try PublicKey(pem: pem)
      } catch {
        throw StatementError("statement.malformed", "not a usable public key: \(error)", path: "\(at(key))[\(index)]")
      }
    }
  }

  func evidence(_ key: String = "evidence") throws -> [Evidence] {
    try optionalArray(key).enumerated().map { index, item in
      let reader = try FieldReader(item, path: "\(at(key))[\(index)]")
      try reader.allowOnly(["sha256", "uri", "mediaType"])
      let digest = try reader.string("sha256")
      guard Hex.isLowercase(digest, byteCount: 32) else { throw reader.fail("sha256", "must be 64 lowercase hex digits") }
      return Evidence(sha256: digest, uri: try reader.optionalString("uri"), mediaType: try reader.optionalString("mediaType"))
    }
  }
}
