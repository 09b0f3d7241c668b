public import LoamCrypto

/// One line of the log: `{"envelope":{…},"logged":"…","prev":"…","seq":n}` in JCS form.
/// Its id is the RFC 9162 leaf hash of the line without its newline.
public struct Entry: Hashable, Sendable {
  public var seq: UInt64
  /// When the ledger accepted it.
  public var logged: Timestamp
  /// The id of entry `seq - 1` (zeros for entry 0).
  public var prev: SHA256Digest
  public var envelope: DSSEEnvelope
  /// The exact line bytes, without the newline.
  public let line: [UInt8]
  /// SHA-256(0x00 ‖ line).
  public let id: SHA256Digest

  /// Builds the canonical line for a new entry.
  public init(seq: UInt64, logged: Timestamp, prev: SHA256Digest, envelope: DSSEEnvelope) {
    self.seq = seq
    self.logged = logged
    self.prev = prev
    self.envelope = envelope
    let object: JSONValue = [
      "envelope": envelope.json, "logged": .string(logged.description), "prev": .string(prev.hex),
      "seq": .number(JSONNumber(seq)),
    ]
    // Only strings and an integer: canonicalization cannot fail.
    line = (try? JCS.canonicalize(object)) ?? []
    id = MerkleHash.leaf(line)
  }

  /// Parses a line (without its newline).
  public init(line: [UInt8]) throws {
    func malformed(_ message: String) -> EntryError { EntryError(.malformed, message) }
    let value: JSONValue
    do {
      value = try JSONValue(parsing: line)
    } catch {
      throw malformed("the line is not JSON: \(error)")
    }
    guard let object = value.objectValue else { throw malformed("the line is not a JSON object") }
    for key in object.keys where !["envelope", "logged", "prev", "seq"].contains(key) {
      throw malformed("unknown member \"\(key)\"")
    }
    guard let seqNumber = object["seq"]?.numberValue, let seq = seqNumber.int64, seq >= 0, seqNumber.literal == String(seq) else {
      throw malformed("\"seq\" must be a non-negative integer")
    }
    guard let loggedText = object["logged"]?.stringValue, let logged = Timestamp(loggedText) else {
      throw malformed("\"logged\" must be an RFC 3339 UTC time")
    }
    guard let prevText = object["prev"]?.stringValue, Hex.isLowercase(prevText, byteCount: 32),
      let prev = SHA256Digest(hex: prevText)
    else {
      throw malformed("\"prev\" must be 64 lowercase hex digits")
    }
    guard let envelopeValue = object["envelope"] else { throw malformed("\"envelope\" is missing") }
    let envelope: DSSEEnvelope
    do {
      envelope = try DSSEEnvelope(json: envelopeValue)
    } catch {
      throw malformed("\(error)")
    }
    self.seq = UInt64(seq)
    self.logged = logged
    self.prev = prev
    self.envelope = envelope
    self.line = line
    self.id = MerkleHash.leaf(line)
  }

  /// True when the line is exactly the canonical serialization of its content.
  public var isCanonical: Bool {
    Entry(seq: seq, logged: logged, prev: prev, envelope: envelope).line == line
  }
}

public struct EntryError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Code: String, Sendable { case malformed = "entry.malformed" }
  public var code: Code
  public var message: String
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }
  public var description: String { message }
}
