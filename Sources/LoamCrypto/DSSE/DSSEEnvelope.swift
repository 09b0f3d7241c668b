/// A DSSE envelope (the signing envelope of in-toto and Sigstore): a payload, its type, and one
/// or more signatures over the pre-authentication encoding (PAE) of both.
///
/// JSON form: `{"payload":"<base64>","payloadType":"…","signatures":[{"keyid":"…","sig":"<base64>"}]}`.
public struct DSSEEnvelope: Hashable, Sendable {
  /// The payload type of a Loam statement.
  public static let loamStatementType = "application/vnd.loam.statement.v1+json"

  public struct Signature: Hashable, Sendable {
    /// Which key made it: for Loam, the key id (hex SHA-256 of the DER SPKI).
    public var keyID: String
    /// Ed25519: 64 raw bytes. ECDSA P-256: DER.
    public var bytes: [UInt8]

    public init(keyID: String, bytes: [UInt8]) {
      self.keyID = keyID
      self.bytes = bytes
    }
  }

  /// What checking one signature found.
  public enum SignatureCheck: Hashable, Sendable {
    case valid(keyID: String)
    case invalid(keyID: String)
    case unknownKey(keyID: String)
  }

  public var payloadType: String
  public var payload: [UInt8]
  public var signatures: [Signature]

  public init(payloadType: String, payload: [UInt8], signatures: [Signature] = []) {
    self.payloadType = payloadType
    self.payload = payload
    self.signatures = signatures
  }

  /// Signs `payload` with every key in `keys` (co-signed statements carry several).
  public init(payloadType: String = loamStatementType, payload: [UInt8], signedBy keys: [PrivateKey]) throws {
    self.init(payloadType: payloadType, payload: payload)
    let message = pae
    for key in keys {
      signatures.append(Signature(keyID: key.publicKey.keyID, bytes: try key.signature(for: message)))
    }
  }

  /// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths in ASCII decimal bytes.
  public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(payload.count + payloadType.utf8.count + 32)
    out.append(contentsOf: "DSSEv1 \(payloadType.utf8.count) ".utf8)
    out.append(contentsOf: payloadType.utf8)
    out.append(contentsOf: " \(payload.count) ".utf8)
    out.append(contentsOf: payload)
    return out
  }

  /// The bytes every signature signs.
  public var pae: [UInt8] { Self.preAuthenticationEncoding(payloadType: payloadType, payload: payload) }

  /// Adds a signature by `key` (a co-signature).
  public mutating func addSignature(by key: PrivateKey) throws {
    signatures.append(Signature(keyID: key.publicKey.keyID, bytes: try key.signature(for: pae)))
  }

  /// Checks every signature; `key(for:)` returns the public key a key id names, or nil.
  public func checkSignatures(key: (String) -> PublicKey?) -> [SignatureCheck] {
    let message = pae
    return message.withUnsafeBytes { messageBytes in
      signatures.map { signature in
        guard let publicKey = key(signature.keyID), publicKey.keyID == signature.keyID else {
          return .unknownKey(keyID: signature.keyID)
        }
        let valid = signature.bytes.withUnsafeBytes { publicKey.isValidSignature($0, for: messageBytes) }
        return valid ? .valid(keyID: signature.keyID) : .invalid(keyID: signature.keyID)
      }
    }
  }

  // MARK: JSON

  public var json: JSONValue {
    .object(
      JSONObject([
        JSONMember("payload", .string(Base64.encode(payload))),
        JSONMember("payloadType", .string(payloadType)),
        JSONMember(
          "signatures",
          .array(
            signatures.map {
              .object(JSONObject([JSONMember("keyid", .string($0.keyID)), JSONMember("sig", .string(Base64.encode($0.bytes)))]))
            })),
      ]))
  }

  /// The envelope as RFC 8785 canonical JSON.
  public var canonicalJSON: [UInt8] {
    // The envelope holds only strings, so canonicalization cannot fail.
    (try? JCS.canonicalize(json)) ?? []
  }

  /// Reads an envelope from its JSON value. Unknown members are refused: in a ledger they would
  /// be bytes that nobody signed.
  public init(json: JSONValue) throws {
    func malformed(_ message: String) -> CryptoError { CryptoError(.envelopeMalformed, "DSSE envelope: \(message)") }
    guard let object = json.objectValue else { throw malformed("expected a JSON object") }
    for key in object.keys where !["payload", "payloadType", "signatures"].contains(key) {
      throw malformed("unknown member \"\(key)\"")
    }
    guard let payloadText = object["payload"]?.stringValue else { throw malformed("\"payload\" must be a base64 string") }
    guard let payload = Base64.decode(payloadText) else { throw malformed("\"payload\" is not canonical padded base64") }
    guard let payloadType = object["payloadType"]?.stringValue, !payloadType.isEmpty else {
      throw malformed("\"payloadType\" must be a non-empty string")
    }
    guard let list = object["signatures"]?.arrayValue, !list.isEmpty else {
      throw malformed("\"signatures\" must be a non-empty array")
    }
    var signatures: [Signature] = []
    for (index, item) in list.enumerated() {
      guard let entry = item.objectValue else { throw malformed("signature \(index) must be an object") }
      for key in entry.keys where key != "keyid" && key != "sig" {
        throw malformed("signature \(index) has unknown member \"\(key)\"")
      }
      guard let keyID = entry["keyid"]?.stringValue else { throw malformed("signature \(index) needs a \"keyid\" string") }
      guard let sigText = entry["sig"]?.stringValue, let bytes = Base64.decode(sigText), !bytes.isEmpty else {
        throw malformed("signature \(index) needs \"sig\" as non-empty canonical base64")
      }
      signatures.append(Signature(keyID: keyID, bytes: bytes))
    }
    self.init(payloadType: payloadType, payload: payload, signatures: signatures)
  }

  /// Parses an envelope from JSON text.
  public init(parsing bytes: some Collection<UInt8>) throws {
    try self.init(json: try JSONValue(parsing: bytes))
  }
}
