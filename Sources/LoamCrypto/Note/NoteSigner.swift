/// An Ed25519 key that signs notes under a name: as the log (`.ed25519`) or as a witness
/// (`.cosignatureV1`, timestamped).
public struct NoteSigner: Sendable, CustomStringConvertible {
  public let privateKey: PrivateKey
  public let verifier: NoteVerifier

  public var name: String { verifier.name }
  public var keyID: UInt32 { verifier.keyID }

  public init(name: String, privateKey: PrivateKey, type: NoteSignatureType = .ed25519) throws {
    guard type != .ecdsa else { throw NoteError(.malformedKey, "Loam signs notes with Ed25519 only") }
    self.privateKey = privateKey
    self.verifier = try NoteVerifier(name: name, publicKey: privateKey.publicKey, type: type)
  }

  /// Reads the Go `golang.org/x/mod/sumdb/note` signer string
  /// `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ 32-byte seed)>`, for interoperability tests.
  public init(goSignerKey: String) throws {
    let parts = goSignerKey.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
    guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY",
      let material = Base64.decode(parts[4]), material.count == 33, material[0] == NoteSignatureType.ed25519.rawValue
    else {
      throw NoteError(.malformedKey, "not a PRIVATE+KEY+<name>+<id>+<base64> Ed25519 signer key")
    }
    let key = try PrivateKey(ed25519Seed: SecureBytes(material.dropFirst()))
    try self.init(name: String(parts[2]), privateKey: key)
    guard parts[3].lowercased() == keyIDHex(keyID) else {
      throw NoteError(.malformedKey, "the signer key's id \(parts[3]) does not match its key")
    }
  }

  /// Signs note `text` (which must end in a newline). Cosignatures carry `timestamp` (POSIX seconds).
  public func sign(text: String, timestamp: UInt64 = 0) throws -> NoteSignature {
    let bytes = Array(text.utf8)
    try Note.validateText(bytes)
    let signature: [UInt8]
    switch verifier.type {
    case .ed25519, .ecdsa:
      signature = try privateKey.signature(for: bytes)
    case .cosignatureV1:
      guard timestamp <= UInt64(Int64.max) else { throw NoteError(.malformed, "a cosignature timestamp must be below 2^63") }
      let stamp = (0..<8).reversed().map { UInt8(truncatingIfNeeded: timestamp >> (UInt64($0) * 8)) }
      signature = stamp + (try privateKey.signature(for: Cosignature.message(text: bytes, timestamp: timestamp)))
    }
    return NoteSignature(name: name, keyID: keyID, signature: signature)
  }

  public var description: String { "NoteSigner(\(verifier.vkey))" }
}

/// C2SP tlog-cosignature v1: the message a witness signs for a checkpoint.
public enum Cosignature {
  /// `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint's note text.
  public static func message(text: [UInt8], timestamp: UInt64) -> [UInt8] {
    Array("cosignature/v1\ntime \(timestamp)\n".utf8) + text
  }
}
