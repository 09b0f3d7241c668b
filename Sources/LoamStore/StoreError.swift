/// A failure of the on-disk ledger: I/O, locking, or an unusable directory. Rule violations are
/// not errors here: they come back as findings.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Code: String, Sendable {
    case notALedger = "store.not-a-ledger"
    case exists = "store.exists"
    case locked = "store.locked"
    case io = "store.io"
    case refused = "store.refused"
    case invalidInput = "store.invalid-input"
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
