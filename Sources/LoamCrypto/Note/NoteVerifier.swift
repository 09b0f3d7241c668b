/// A public key that verifies signed-note signatures, and its C2SP "vkey" string form
/// `<name>+<8 hex key id>+<base64(type ‖ public key)>`.
public struct NoteVerifier: Hashable, Sendable, CustomStringConvertible {
  public let name: String
  public let keyID: UInt32
  public let type: NoteSignatureType
  public let publicKey: PublicKey

  /// A verifier for `publicKey` under `name`. Ed25519 keys may be `.ed25519` or `.cosignatureV1`;
  /// P-256 keys are `.ecdsa`.
  public init(name: String, publicKey: PublicKey, type: NoteSignatureType = .ed25519) throws {
    guard NoteKeyName.isValid(name) else {
      throw NoteError(.malformedKey, "key name \"\(name)\" must be non-empty, without spaces or '+'")
    }
    let expected: SignatureAlgorithm = type == .ecdsa ? .ecdsaP256SHA256 : .ed25519
    guard publicKey.algorithm == expected else {
      throw NoteError(.malformedKey, "a \(type) note key must be \(expected), not \(publicKey.algorithm)")
    }
    self.name = name
    self.type = type
    self.publicKey = publicKey
    self.keyID = noteKeyID(name: name, type: type, keyMaterial: Self.keyMaterial(publicKey, type))
  }

  static func keyMaterial(_ key: PublicKey, _ type: NoteSignatureType) -> [UInt8] {
    type == .ecdsa ? key.spkiDER : (key.ed25519Raw ?? [])
  }

  /// Parses a vkey string; its key id must match the key.
  public init(vkey: String) throws {
    let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, NoteKeyName.isValid(parts[0]) else {
      throw NoteError(.malformedKey, "a verifier key is <name>+<key id>+<base64 key>")
    }
    guard parts[1].utf8.count == 8, let idBytes = Hex.decode(parts[1]) else {
      throw NoteError(.malformedKey, "the key id of a verifier key is 8 hex digits")
    }
    guard let material = Base64.decode(parts[2]), let typeByte = material.first else {
      throw NoteError(.malformedKey, "the key part of a verifier key is not base64")
    }
    guard let type = NoteSignatureType(rawValue: typeByte) else {
      throw NoteError(.malformedKey, "unsupported note signature type 0x\(Hex.encode([typeByte]))")
    }
    let keyBytes = Array(material.dropFirst())
    let publicKey: PublicKey
    do {
      publicKey = type == .ecdsa ? try PublicKey(spkiDER: keyBytes) : try PublicKey(ed25519Raw: keyBytes)
    } catch {
      throw NoteError(.malformedKey, "the verifier key's public key does not load: \(error)")
    }
    try self.init(name: String(parts[0]), publicKey: publicKey, type: type)
    let claimed = idBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard claimed == keyID else {
      throw NoteError(.malformedKey, "the verifier key's id \(parts[1]) does not match its key (\(keyIDHex(keyID)))")
    }
  }

  /// The vkey string.
  public var vkey: String {
    "\(name)+\(keyIDHex(keyID))+\(Base64.encode([type.rawValue] + Self.keyMaterial(publicKey, type)))"
  }

  public var description: String { vkey }

  /// Checks `signature` (without its 4-byte key id) over the note `text`. For a cosignature,
  /// returns its timestamp; for the other types, 0.
  func verify(text: [UInt8], signature: [UInt8]) -> UInt64? {
    switch type {
    case .ed25519, .ecdsa:
      return publicKey.isValidSignature(signature, for: text) ? 0 : nil
    case .cosignatureV1:
      guard signature.count == 8 + 64 else { return nil }
      let timestamp = signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      guard timestamp <= UInt64(Int64.max) else { return nil }
      let message = Cosignature.message(text: text, timestamp: timestamp)
      return publicKey.isValidSignature(signature.dropFirst(8), for: message) ? timestamp : nil
    }
  }
}
