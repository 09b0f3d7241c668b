/// An error from LoamCrypto: a stable code to compare by, one sentence for a person, and,
/// when OpenSSL refused something, what its error queue said.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A stable, machine-readable error code such as `key.wrong-passphrase`.
  public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The bytes are not a key in any form Loam reads (PEM PKCS#8, SPKI, SEC1, DER).
    public static let keyMalformed = Code(rawValue: "key.malformed")
    /// A well-formed key of an algorithm or curve Loam does not accept.
    public static let keyUnsupported = Code(rawValue: "key.unsupported-algorithm")
    /// An encrypted private key was given without a passphrase.
    public static let passphraseRequired = Code(rawValue: "key.passphrase-required")
    /// The passphrase does not decrypt the private key.
    public static let wrongPassphrase = Code(rawValue: "key.wrong-passphrase")
    /// A public key where a private key is needed.
    public static let notPrivate = Code(rawValue: "key.not-private")
    /// A signature or value of the wrong shape (length, encoding).
    public static let malformedInput = Code(rawValue: "input.malformed")
    /// A base64 or hex string that does not decode canonically.
    public static let encoding = Code(rawValue: "input.encoding")
    /// A DSSE envelope that does not have the required shape.
    public static let envelopeMalformed = Code(rawValue: "dsse.malformed")
    /// A key file that cannot be read: missing, a directory, not permitted, too large.
    public static let fileUnreadable = Code(rawValue: "file.unreadable")
    /// A private key file that group or others may read or write (mode wider than 0600).
    public static let fileExposed = Code(rawValue: "file.mode-too-open")
    /// A key file that would be overwritten.
    public static let fileExists = Code(rawValue: "file.exists")
    /// Writing a key file failed (disk full, read-only directory …).
    public static let fileWrite = Code(rawValue: "file.write-failed")
    /// OpenSSL failed where it should not (allocation, internal error).
    public static let openSSL = Code(rawValue: "openssl.failure")
  }

  public var code: Code
  public var message: String
  /// The OpenSSL error queue at the point of failure, if any (never contains secrets).
  public var openSSLDetail: String?

  public init(_ code: Code, _ message: String, openSSLDetail: String? = nil) {
    self.code = code
    self.message = message
    self.openSSLDetail = openSSLDetail
  }

  public var description: String {
    guard let openSSLDetail, !openSSLDetail.isEmpty else { return message }
    return "\(message) (OpenSSL: \(openSSLDetail))"
  }
}
