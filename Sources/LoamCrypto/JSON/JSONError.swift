/// Why a JSON text was refused, and where (a byte offset into the input).
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Code: String, Hashable, Sendable {
    /// Not JSON at all at this point (RFC 8259 grammar).
    case syntax = "json.syntax"
    /// An object names the same key twice (compared code unit by code unit).
    case duplicateKey = "json.duplicate-key"
    /// A string holds bytes that are not UTF-8.
    case invalidUTF8 = "json.invalid-utf8"
    /// A `\u` escape is half of a surrogate pair.
    case loneSurrogate = "json.lone-surrogate"
    /// Arrays and objects nest deeper than the parser's limit.
    case tooDeep = "json.too-deep"
    /// A number literal is longer than the parser's limit.
    case numberTooLong = "json.number-too-long"
    /// A number that an IEEE 754 double cannot hold (RFC 8785 needs one).
    case numberOutOfRange = "json.number-out-of-range"
    /// A number whose RFC 8785 form would change its decimal value (exact canonicalization).
    case inexactNumber = "json.inexact-number"
  }

  public var code: Code
  public var message: String
  /// Byte offset into the parsed text, when the error comes from parsing.
  public var offset: Int?

  public init(_ code: Code, _ message: String, offset: Int? = nil) {
    self.code = code
    self.message = message
    self.offset = offset
  }

  public var description: String {
    guard let offset else { return message }
    return "\(message) at byte \(offset)"
  }
}
