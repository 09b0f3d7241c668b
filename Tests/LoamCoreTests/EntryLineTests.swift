import Foundation
import LoamCore
import LoamCrypto
import Testing

/// An entry line reads back as written whether it takes the fast path (laid out exactly as Loam
/// writes it) or the general parser (any other JSON layout, then marked not canonical).
@Suite struct EntryLineTests {
  /// A payload whose base64 holds every character of the alphabet, `+` and `/` among them.
  static let payload = [UInt8](0...255) + [0xFF, 0xFF, 0xFF]
  static let entry = Entry(
    seq: 7, logged: Timestamp("2026-09-14T07:31:02Z")!, prev: SHA256.hash(Array("prev".utf8)),
    envelope: DSSEEnvelope(
      payloadType: DSSEEnvelope.loamStatementType, payload: payload,
      signatures: [
        .init(keyID: SHA256.hash(Array("key".utf8)).hex, bytes: Array(repeating: 0xAB, count: 64)),
        .init(keyID: SHA256.hash(Array("other".utf8)).hex, bytes: Array(0..<72)),
      ]))

  func text(_ line: [UInt8]) -> String { String(decoding: line, as: UTF8.self) }
  func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

  @Test func aCanonicalLineReadsBackAsWritten() throws {
    let read = try Entry(line: Self.entry.line)
    #expect(read == Self.entry)
    #expect(read.isCanonical)
    #expect(read.envelope.payload == Self.payload)
    #expect(read.envelope.signatures.map(\.bytes) == Self.entry.envelope.signatures.map(\.bytes))
  }

  @Test func otherLayoutsReadTheSameButAreNotCanonical() throws {
    let line = text(Self.entry.line)
    #expect(line.contains("/"))
    // JSON may escape "/" as "\/": the same payload, in a form Loam does not write.
    let escaped = try Entry(line: bytes(line.replacingOccurrences(of: "/", with: #"\/"#)))
    #expect(!escaped.isCanonical)
    #expect(escaped.envelope == Self.entry.envelope)
    #expect(escaped.seq == 7 && escaped.prev == Self.entry.prev && escaped.logged == Self.entry.logged)
    let spaced = try Entry(line: bytes(line.replacingOccurrences(of: #","logged""#, with: #", "logged""#)))
    #expect(!spaced.isCanonical)
    #expect(spaced.envelope == Self.entry.envelope)
  }

  @Test func brokenPayloadsAreRefused() {
    let line = text(Self.entry.line)
    let payload = Base64.encode(Self.payload)
    for bad in [
      String(payload.dropLast(2)),  // not a whole number of quads
      "A\u{1}" + payload.dropFirst(2),  // a control character
      #"A\"# + payload.dropFirst(2),  // a lone backslash
      #"A\""# + payload.dropFirst(3),  // an escaped quote
      "*" + payload.dropFirst(),  // outside the alphabet
    ] {
      #expect(throws: EntryError.self, "\(bad.prefix(8))") {
        try Entry(line: bytes(line.replacingOccurrences(of: payload, with: bad)))
      }
    }
  }
}
