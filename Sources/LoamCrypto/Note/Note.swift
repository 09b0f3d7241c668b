/// One signature line of a note: `— <name> base64(key id ‖ signature)`.
public struct NoteSignature: Hashable, Sendable {
  public var name: String
  public var keyID: UInt32
  /// The signature bytes after the 4-byte key id (for cosignatures: timestamp ‖ signature).
  public var signature: [UInt8]

  public init(name: String, keyID: UInt32, signature: [UInt8]) {
    self.name = name
    self.keyID = keyID
    self.signature = signature
  }

  /// The line, with its final newline.
  public var line: String {
    let id = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)]
    return "\u{2014} \(name) \(Base64.encode(id + signature))\n"
  }
}

/// A C2SP signed note: a text ending in a newline, a blank line, then signature lines.
public struct Note: Hashable, Sendable {
  /// The signed text, including its final newline.
  public let text: String
  public var signatures: [NoteSignature]

  /// More signature lines than this make a note malformed (C2SP asks for at least 16).
  public static let maximumSignatures = 100

  public init(text: String, signatures: [NoteSignature] = []) throws {
    try Self.validateText(Array(text.utf8))
    self.text = text
    self.signatures = signatures
  }

  /// The note's bytes: text, blank line, signature lines.
  public var serialized: String { text + "\n" + signatures.map(\.line).joined() }

  /// Parses a signed note. Checks the format only; `verify(_:)` checks signatures.
  public init(parsing bytes: some Collection<UInt8>) throws {
    let all = Array(bytes)
    func malformed(_ why: String) -> NoteError { NoteError(.malformed, "malformed note: \(why)") }
    guard String(validating: all, as: UTF8.self) != nil else { throw malformed("not valid UTF-8") }
    guard !all.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
      throw malformed("control characters other than newline are not allowed")
    }
    // The text ends at the last blank line.
    var split: Int? = nil
    var index = all.count - 1
    while index > 0 {
      if all[index] == 0x0A && all[index - 1] == 0x0A {
        split = index
        break
      }
      index -= 1
    }
    guard let split else { throw malformed("no blank line before the signatures") }
    let textBytes = Array(all[..<split])
    let signatureBlock = all[(split + 1)...]
    guard !signatureBlock.isEmpty, signatureBlock.last == 0x0A else {
      throw malformed("signature lines must be present and end in a newline")
    }
    var signatures: [NoteSignature] = []
    let dash = Array("\u{2014} ".utf8)
    for line in signatureBlock.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
      guard signatures.count < Self.maximumSignatures else {
        throw malformed("more than \(Self.maximumSignatures) signatures")
      }
      guard line.starts(with: dash) else { throw malformed("a line after the blank line is not a signature line") }
      let rest = String(decoding: line.dropFirst(dash.count), as: UTF8.self)
      let fields = rest.split(separator: " ", omittingEmptySubsequences: false)
      guard fields.count == 2, NoteKeyName.isValid(fields[0]) else {
        throw malformed("a signature line is \u{2014} <key name> <base64 signature>")
      }
      guard let decoded = Base64.decode(fields[1]), decoded.count > 4 else {
        throw malformed("the signature of \(fields[0]) is not base64 of a key id and a signature")
      }
      let keyID = decoded.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
      signatures.append(NoteSignature(name: String(fields[0]), keyID: keyID, signature: Array(decoded.dropFirst(4))))
    }
    self.text = String(decoding: textBytes, as: UTF8.self)
    self.signatures = signatures
  }

  /// C2SP: the text is UTF-8 without control characters other than newline, and ends in one.
  static func validateText(_ bytes: [UInt8]) throws {
    guard String(validating: bytes, as: UTF8.self) != nil else { throw NoteError(.malformed, "note text is not valid UTF-8") }
    guard bytes.last == 0x0A else { throw NoteError(.malformed, "note text must end in a newline") }
    guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
      throw NoteError(.malformed, "note text may not hold control characters other than newline")
    }
  }

  /// What verification found.
  public struct Verification: Hashable, Sendable {
    public struct Verified: Hashable, Sendable {
      public var verifier: NoteVerifier
      /// The cosignature's timestamp (POSIX seconds); 0 for plain signatures.
      public var timestamp: UInt64
    }
    /// Signatures by known keys, all valid.
    public var verified: [Verified]
    /// Signatures by keys not among the verifiers (ignored, as C2SP requires).
    public var unverified: [NoteSignature]
  }

  /// Verifies against `verifiers` with C2SP's rules: unknown keys are ignored; a known key's
  /// failing signature rejects the note; at least one known key must have signed. A name and key
  /// id listed twice is ambiguous and an error, as in Go's `golang.org/x/mod/sumdb/note`.
  public func verify(_ verifiers: [NoteVerifier]) throws -> Verification {
    var byIdentity: [String: NoteVerifier] = [:]
    for verifier in verifiers {
      let identity = "\(verifier.name)+\(verifier.keyID)"
      if byIdentity[identity] != nil {
        throw NoteError(.ambiguousKey, "ambiguous key \(verifier.name)+\(keyIDHex(verifier.keyID))")
      }
      byIdentity[identity] = verifier
    }
    let textBytes = Array(text.utf8)
    var result = Verification(verified: [], unverified: [])
    for signature in signatures {
      guard let verifier = byIdentity["\(signature.name)+\(signature.keyID)"] else {
        result.unverified.append(signature)
        continue
      }
      guard let timestamp = verifier.verify(text: textBytes, signature: signature.signature) else {
        throw NoteError(.invalidSignature, "invalid signature for key \(verifier.name)+\(keyIDHex(verifier.keyID))")
      }
      result.verified.append(.init(verifier: verifier, timestamp: timestamp))
    }
    guard !result.verified.isEmpty else {
      throw NoteError(.noVerifiableSignature, "the note has no signature by a known key")
    }
    return result
  }
}
