/// Why a signed note, a verifier key or a checkpoint was refused.
public struct NoteError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Code: String, Hashable, Sendable {
    /// Not a signed note (C2SP signed-note format).
    case malformed = "note.malformed"
    /// A verifier key string that does not parse or whose key id does not match its key.
    case malformedKey = "note.malformed-key"
    /// Two verifiers with the same name and key id.
    case ambiguousKey = "note.ambiguous-key"
    /// A signature by a known key that does not verify: the whole note is rejected.
    case invalidSignature = "note.invalid-signature"
    /// No signature by any known key.
    case noVerifiableSignature = "note.no-verifiable-signature"
    /// The note text is not a C2SP tlog-checkpoint body.
    case malformedCheckpoint = "checkpoint.malformed"
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
