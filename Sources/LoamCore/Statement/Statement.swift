public import LoamCrypto

/// What a participant signs: a JSON object with `kind`, `actor`, `time`, optional `ref`, and the
/// members of its kind (DESIGN.md, Statements).
public struct Statement: Hashable, Sendable {
  public var kind: StatementKind
  /// The participant that makes the statement.
  public var actor: String
  /// When the event happened.
  public var time: Timestamp
  /// A client-chosen unique id that makes resubmission idempotent.
  public var ref: String?
  public var body: StatementBody
  /// The statement as JSON.
  public var json: JSONObject

  /// The largest statement payload, so an entry line fits a C2SP tlog-tiles entry (65,535 bytes).
  public static let maximumPayloadSize = 32 * 1024

  /// Parses and validates a statement's JSON.
  public init(json value: JSONValue) throws {
    let r = try FieldReader(value, path: .root)
    let kindText = try r.string("kind")
    guard let kind = StatementKind.named(kindText) else {
      throw StatementError(
        "statement.unknown-kind",
        "unknown kind \"\(kindText)\" (known: \(StatementKind.allCases.map(\.rawValue).joined(separator: ", ")))",
        path: "$.kind")
    }
    self.kind = kind
    actor = try r.identifier("actor")
    time = try r.time("time")
    ref = try r.optionalString("ref")
    if let ref, ref.utf8.count > 256 { throw r.fail("ref", "must be at most 256 bytes") }
    body = try StatementBody.parse(kind, r)
    json = r.object
  }

  /// Parses a payload: JSON, at most 32 KiB.
  public init(payload: [UInt8]) throws {
    guard payload.count <= Self.maximumPayloadSize else {
      throw StatementError(
        "statement.too-large",
        "the statement is \(payload.count) bytes; at most \(Self.maximumPayloadSize) are allowed (keep documents off the ledger and log their sha256 as evidence)"
      )
    }
    let value: JSONValue
    do {
      value = try JSONValue(parsing: payload)
    } catch {
      throw StatementError("statement.malformed", "not JSON: \(error)")
    }
    try self.init(json: value)
  }

  /// The canonical payload bytes (RFC 8785, numbers exact) a writer signs.
  public func canonicalPayload() throws -> [UInt8] {
    do {
      return try JCS.canonicalize(.object(json))
    } catch {
      throw StatementError("statement.malformed", "cannot be canonicalized: \(error)")
    }
  }
}
