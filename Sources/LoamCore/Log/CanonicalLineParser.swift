import Glibc
import LoamCrypto

/// Reads an entry line that is laid out exactly as Loam writes it (RFC 8785: members in order,
/// no whitespace, no escapes in the few strings that could hold them) without building a JSON
/// tree. Anything else returns nil and goes through the general parser, so this only makes the
/// common case fast; it never accepts a line the general path would refuse.
enum CanonicalLineParser {
  static func parse(_ line: [UInt8]) -> Entry? {
    line.withUnsafeBufferPointer { bytes -> Entry? in
      var cursor = Cursor(bytes: bytes)
      guard cursor.expect(#"{"envelope":{"payload":""#), let payload = cursor.base64(),
        cursor.expect(#","payloadType":""#), let payloadType = cursor.payloadType(),
        cursor.expect(#","signatures":["#)
      else { return nil }
      var signatures: [DSSEEnvelope.Signature] = []
      repeat {
        guard cursor.expect(#"{"keyid":""#), let keyID = cursor.plainString(), cursor.expect(#","sig":""#),
          let signature = cursor.base64(), !signature.isEmpty, cursor.expect("}")
        else { return nil }
        signatures.append(DSSEEnvelope.Signature(keyID: keyID, bytes: signature))
      } while cursor.skip(",")
      guard !payloadType.isEmpty, cursor.expect(#"]},"logged":""#), let loggedText = cursor.rawString(),
        let logged = Timestamp(utf8: loggedText), Timestamp.isCanonical(utf8: loggedText), cursor.expect(#","prev":""#),
        let prevText = cursor.rawString(), let prev = SHA256Digest(lowercaseHex: prevText),
        cursor.expect(#","seq":"#), let seq = cursor.integer(), cursor.expect("}"), cursor.atEnd
      else { return nil }
      let envelope = DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signatures)
      return Entry(seq: seq, logged: logged, prev: prev, envelope: envelope, canonicalLine: line)
    }
  }

  struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func expect(_ literal: StaticString) -> Bool {
      let count = literal.utf8CodeUnitCount
      guard index + count <= bytes.count,
        memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0
      else { return false }
      index += count
      return true
    }

    mutating func skip(_ literal: StaticString) -> Bool { expect(literal) }

    /// The bytes up to the closing quote, which is consumed.
    mutating func rawString() -> UnsafeBufferPointer<UInt8>? {
      let start = index
      while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") {
          defer { index += 1 }
          return UnsafeBufferPointer(rebasing: bytes[start..<index])
        }
        // Escapes and control characters: leave those to the general parser.
        if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        index += 1
      }
      return nil
    }

    /// A string without escapes (non-ASCII must be valid UTF-8, as RFC 8785 writes it raw).
    mutating func plainString() -> String? {
      guard let raw = rawString() else { return nil }
      // ASCII (a key id's hex) is valid UTF-8 as it stands.
      if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
      return String(validating: raw, as: UTF8.self)
    }

    /// Loam's own payload type without a new string for every line.
    mutating func payloadType() -> String? {
      guard let raw = rawString() else { return nil }
      var known = DSSEEnvelope.loamStatementType
      let same = known.withUTF8 { $0.count == raw.count && memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
      if same { return known }
      return String(validating: raw, as: UTF8.self)
    }

    /// Base64 up to the closing quote, found with memchr instead of a byte loop (a payload is most
    /// of a line): the decoder refuses every byte outside its alphabet, so an escape or a control
    /// character still sends the line to the general parser.
    mutating func base64() -> [UInt8]? {
      guard index < bytes.count, let quote = memchr(bytes.baseAddress! + index, 0x22, bytes.count - index) else {
        return nil
      }
      let end = UnsafePointer<UInt8>(quote.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
      defer { index = end + 1 }
      return Base64.decode(UnsafeBufferPointer(rebasing: bytes[index..<end]))
    }

    /// A non-negative integer without leading zeros.
    mutating func integer() -> UInt64? {
      let start = index
      var value: UInt64 = 0
      while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
        let (times, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[index] - 0x30))
        guard !o1, !o2 else { return nil }
        value = sum
        index += 1
      }
      guard index > start, !(bytes[start] == 0x30 && index - start > 1), value <= UInt64(Int64.max) else { return nil }
      return value
    }
  }
}
