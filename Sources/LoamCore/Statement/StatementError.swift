/// Why a statement was refused before any state rule ran: its JSON shape.
public struct StatementError: Error, Hashable, Sendable, CustomStringConvertible {
  /// `statement.malformed`, `statement.unknown-kind`, `statement.too-large`, `statement.not-canonical`.
  public var code: String
  /// A JSON path to the problem (`$.quantity.value`), when there is one.
  public var path: String?
  public var message: String

  public init(_ code: String, _ message: String, path: String? = nil) {
    self.code = code
    self.message = message
    self.path = path
  }

  public var description: String { path.map { "\($0): \(message)" } ?? message }
}
