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
  /// True when the line is exactly the canonical (RFC 8785) serialization of its content.
  public let isCanonical: Bool

  /// Builds the canonical line for a new entry.
  public init(seq: UInt64, logged: Timestamp, prev: SHA256Digest, envelope: DSSEEnvelope) {
    self.init(seq: seq, logged: logged, prev: prev, envelope: envelope, head: Self.lineHead(envelope))
  }

  /// Builds the canonical line for a new entry from `lineHead(envelope)`, made beforehand (on
  /// another thread: it is most of the line's cost, and the rest must be made in log order).
  public init(seq: UInt64, logged: Timestamp, prev: SHA256Digest, envelope: DSSEEnvelope, head: consuming [UInt8]) {
    self.seq = seq
    self.logged = logged
    self.prev = prev
    self.envelope = envelope
    var line = consume head  // unshared when the caller gave up its copy: the tail goes on in place
    Self.appendLineTail(seq: seq, logged: logged, prev: prev, to: &line)
    self.line = line
    id = MerkleHash.leaf(line)
    isCanonical = true
  }

  /// Parses a line (without its newline).
  public init(line: [UInt8]) throws {
    if let fast = CanonicalLineParser.parse(line) {
      self = fast
      return
    }
    try self.init(slowlyParsing: line)
  }

  init(seq: UInt64, logged: Timestamp, prev: SHA256Digest, envelope: DSSEEnvelope, canonicalLine line: [UInt8]) {
    self.seq = seq
    self.logged = logged
    self.prev = prev
    self.envelope = envelope
    self.line = line
    self.id = MerkleHash.leaf(line)
    self.isCanonical = true
  }

  /// Any JSON layout: through the general parser, then compared with the canonical form.
  private init(slowlyParsing line: [UInt8]) throws {
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
    self.isCanonical = Self.canonicalLine(seq: UInt64(seq), logged: logged, prev: prev, envelope: envelope) == line
  }

  /// The RFC 8785 form of an entry, written directly: its members and the envelope's are in
  /// sorted order already, and only `payloadType` and `keyid` can need escaping.
  static func canonicalLine(seq: UInt64, logged: Timestamp, prev: SHA256Digest, envelope: DSSEEnvelope) -> [UInt8] {
    var out = lineHead(envelope)
    appendLineTail(seq: seq, logged: logged, prev: prev, to: &out)
    return out
  }

  /// The start of an entry's line, which depends on its envelope alone: `{"envelope":{…},"logged":"`.
  public static func lineHead(_ envelope: DSSEEnvelope) -> [UInt8] {
    var out: [UInt8] = []
    // Room for the tail too (`appendLineTail`, under 130 bytes), so an entry made from this head
    // appends to it in place.
    out.reserveCapacity(envelope.payload.count * 4 / 3 + 330 + envelope.signatures.count * 200)
    out.append(contentsOf: #"{"envelope":{"payload":""#.utf8)
    out.append(contentsOf: Base64.encode(envelope.payload).utf8)
    out.append(contentsOf: #"","payloadType":"#.utf8)
    JCS.appendString(envelope.payloadType, to: &out)
    out.append(contentsOf: #","signatures":["#.utf8)
    for (index, signature) in envelope.signatures.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out.append(contentsOf: #"{"keyid":"#.utf8)
      JCS.appendString(signature.keyID, to: &out)
      out.append(contentsOf: #","sig":""#.utf8)
      out.append(contentsOf: Base64.encode(signature.bytes).utf8)
      out.append(contentsOf: #""}"#.utf8)
    }
    out.append(contentsOf: #"]},"logged":""#.utf8)
    return out
  }

  /// The rest of the line after `lineHead`: `…","prev":"…","seq":n}`.
  static func appendLineTail(seq: UInt64, logged: Timestamp, prev: SHA256Digest, to out: inout [UInt8]) {
    out.append(contentsOf: logged.description.utf8)
    out.append(contentsOf: #"","prev":""#.utf8)
    out.append(contentsOf: prev.hex.utf8)
    out.append(contentsOf: #"","seq":"#.utf8)
    out.append(contentsOf: String(seq).utf8)
    out.append(UInt8(ascii: "}"))
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
