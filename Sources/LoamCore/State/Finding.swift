public import LoamCrypto

/// One problem with one entry: where, a stable code, and a sentence.
public struct Finding: Hashable, Sendable, CustomStringConvertible {
  public enum Severity: String, Hashable, Sendable { case error, warning }

  public var seq: UInt64?
  public var entryID: SHA256Digest?
  /// Stable code such as `chain.prev-mismatch`, `sig.invalid`, `policy.unauthorized`, `state.overdrawn`.
  public var code: String
  public var message: String
  public var severity: Severity

  public init(seq: UInt64?, entryID: SHA256Digest?, code: String, message: String, severity: Severity = .error) {
    self.seq = seq
    self.entryID = entryID
    self.code = code
    self.message = message
    self.severity = severity
  }

  public var description: String {
    var place = ""
    if let seq { place = "entry \(seq)" }
    if let entryID { place += " (\(entryID.hex.prefix(12))…)" }
    return (place.isEmpty ? "" : place + ": ") + "\(code): \(message)"
  }
}

/// A rule a statement breaks; becomes a `Finding` for its entry.
struct RuleViolation: Error {
  var code: String
  var message: String
  init(_ code: String, _ message: String) {
    self.code = code
    self.message = message
  }
}
