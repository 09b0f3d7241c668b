import LoamCrypto
import Testing

@Suite struct DSSETests {
  /// The example of the DSSE specification (protocol.md).
  @Test func preAuthenticationEncoding() {
    let pae = DSSEEnvelope.preAuthenticationEncoding(
      payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
    #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    let empty = DSSEEnvelope.preAuthenticationEncoding(payloadType: "", payload: [])
    #expect(String(decoding: empty, as: UTF8.self) == "DSSEv1 0  0 ")
  }

  @Test func lengthsCountBytesNotCharacters() {
    let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: "t", payload: Array("é".utf8))
    #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 1 t 2 é")
  }

  @Test func coSignedEnvelopeVerifiesAndSurvivesJSON() throws {
    let grower = try PrivateKey.generate(.ed25519)
    let lab = try PrivateKey.generate(.ecdsaP256SHA256)
    let payload = try JCS.canonicalize(["kind": "measurement", "actor": "grower:a", "value": 3])
    let envelope = try DSSEEnvelope(payload: payload, signedBy: [grower, lab])
    #expect(envelope.payloadType == "application/vnd.loam.statement.v1+json")
    let keys = [grower.publicKey.keyID: grower.publicKey, lab.publicKey.keyID: lab.publicKey]

    let decoded = try DSSEEnvelope(parsing: envelope.canonicalJSON)
    #expect(decoded == envelope)
    #expect(JCS.isCanonical(envelope.canonicalJSON))
    #expect(decoded.checkSignatures { keys[$0] } == [.valid(keyID: grower.publicKey.keyID), .valid(keyID: lab.publicKey.keyID)])

    // A changed payload breaks every signature; an unknown signer is reported as such.
    var tampered = decoded
    tampered.payload[tampered.payload.count - 2] ^= 1
    #expect(
      tampered.checkSignatures { keys[$0] } == [.invalid(keyID: grower.publicKey.keyID), .invalid(keyID: lab.publicKey.keyID)])
    #expect(
      decoded.checkSignatures { _ in nil } == [
        .unknownKey(keyID: grower.publicKey.keyID), .unknownKey(keyID: lab.publicKey.keyID),
      ])

    // A signature copied onto another payload type does not verify: the type is signed too.
    var retyped = decoded
    retyped.payloadType = "application/json"
    #expect(retyped.checkSignatures { keys[$0] }.allSatisfy { if case .invalid = $0 { true } else { false } })

    // A key that claims another key's id is not used for it.
    let impostor = try PrivateKey.generate()
    #expect(
      decoded.checkSignatures { _ in impostor.publicKey } == [
        .unknownKey(keyID: grower.publicKey.keyID), .unknownKey(keyID: lab.publicKey.keyID),
      ])
  }

  @Test func addSignatureCoSigns() throws {
    let first = try PrivateKey.generate()
    let second = try PrivateKey.generate()
    var envelope = try DSSEEnvelope(payload: Array("{}".utf8), signedBy: [first])
    try envelope.addSignature(by: second)
    #expect(envelope.signatures.count == 2)
    #expect(envelope.checkSignatures { $0 == second.publicKey.keyID ? second.publicKey : first.publicKey }.count == 2)
  }

  @Test(arguments: [
    #"[]"#,
    #"{"payload":"e30=","payloadType":"t"}"#,
    #"{"payload":"e30=","payloadType":"t","signatures":[]}"#,
    #"{"payload":"e30","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA"}]}"#,
    #"{"payload":"e31=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA"}]}"#,
    #"{"payload":"e30=","payloadType":"","signatures":[{"keyid":"k","sig":"AAAA"}]}"#,
    #"{"payload":"e30=","payloadType":"t","signatures":[{"sig":"AAAA"}]}"#,
    #"{"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k","sig":""}]}"#,
    #"{"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA","extra":1}]}"#,
    #"{"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA"}],"unsigned":"data"}"#,
  ])
  func malformedEnvelopesAreRefused(_ text: String) {
    #expect(throws: (any Error).self) { try DSSEEnvelope(parsing: Array(text.utf8)) }
  }
}

@Suite struct EncodingTests {
  @Test func base64IsStrictAndCanonical() {
    #expect(Base64.encode(Array("hello world".utf8)) == "aGVsbG8gd29ybGQ=")
    #expect(Base64.decode("aGVsbG8gd29ybGQ=") == Array("hello world".utf8))
    for count in 0..<20 {
      let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
      #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
    #expect(Base64.decode("aGVsbG8gd29ybGR=") == nil)  // non-zero unused bits
    #expect(Base64.decode("aGVsbG8gd29ybGQ") == nil)  // missing padding
    #expect(Base64.decode("aGVs bG8=") == nil)
    #expect(Base64.decode("aG=sbG8=") == nil)
    #expect(Base64.decode("aGVsbG8_") == nil)
    #expect(Base64.decode("====") == nil)
  }

  @Test func hex() {
    #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
    #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
    #expect(Hex.decode("0") == nil)
    #expect(Hex.decode("zz") == nil)
    #expect(Hex.isLowercase("00abff", byteCount: 3))
    #expect(!Hex.isLowercase("00ABff", byteCount: 3))
  }

  @Test func constantTimeComparison() {
    #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
    #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
    #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
    #expect(constantTimeEquals([UInt8](), [UInt8]()))
  }
}
