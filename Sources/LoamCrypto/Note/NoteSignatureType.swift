/// The signature types of C2SP signed notes that Loam understands.
public enum NoteSignatureType: UInt8, Hashable, Sendable, CustomStringConvertible {
  /// Ed25519 over the note text (Loam's log key).
  case ed25519 = 0x01
  /// ECDSA over SHA-256 of the note text, DER (transparency-dev witness; read-only here).
  case ecdsa = 0x02
  /// A timestamped Ed25519 witness cosignature (C2SP tlog-cosignature v1).
  case cosignatureV1 = 0x04

  public var description: String {
    switch self {
    case .ed25519: "ed25519"
    case .ecdsa: "ecdsa"
    case .cosignatureV1: "cosignature/v1"
    }
  }
}

enum NoteKeyName {
  /// C2SP: non-empty, no Unicode spaces, no `+`.
  static func isValid(_ name: some StringProtocol) -> Bool {
    !name.isEmpty
      && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
  }
}

/// SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4] as a big-endian integer (or of the key alone for ECDSA).
func noteKeyID(name: String, type: NoteSignatureType, keyMaterial: [UInt8]) -> UInt32 {
  let digest: [UInt8]
  switch type {
  case .ecdsa: digest = SHA256.hash(keyMaterial).bytes
  case .ed25519, .cosignatureV1: digest = SHA256.hash(Array(name.utf8) + [0x0A, type.rawValue] + keyMaterial).bytes
  }
  return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
}

func keyIDHex(_ id: UInt32) -> String {
  Hex.encode([UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)])
}
