import Foundation
import Testing

@testable import LoamCrypto

/// Public keys in the two fixed SubjectPublicKeyInfo forms are read without OpenSSL's decoders
/// (`FixedFormSPKI`); they must come out exactly as OpenSSL reads them, and every other form
/// must still be read by OpenSSL.
@Suite struct FixedFormKeyTests {
  /// What `openssl pkey` makes of a public key: its DER SubjectPublicKeyInfo, or nil when refused.
  static func opensslDER(_ input: [UInt8], inform: String) throws -> [UInt8]? {
    let result = try OpenSSLCLI.run(["pkey", "-pubin", "-inform", inform, "-outform", "DER"], stdin: Data(input))
    return result.status == 0 ? [UInt8](result.stdout) : nil
  }

  @Test(arguments: SignatureAlgorithm.allCases)
  func fixedFormsReadAsOpenSSLReadsThem(_ algorithm: SignatureAlgorithm) throws {
    let privateKey = try PrivateKey.generate(algorithm)
    let der = privateKey.publicKey.spkiDER
    #expect(der.count == (algorithm == .ed25519 ? 44 : 91))
    let pem = privateKey.publicKey.pem
    let crlf = pem.replacingOccurrences(of: "\n", with: "\r\n")
    let padded = "\n\n" + pem + "\n"
    for text in [pem, crlf, padded] {
      // The fast path takes each of these…
      let inner = try #require(Array(text.utf8).withUnsafeBytes(FixedFormSPKI.der(inPEM:)))
      #expect(inner == der)
      #expect(der.withUnsafeBytes(FixedFormSPKI.publicKey)?.algorithm == algorithm)
      // …and gives what OpenSSL gives.
      let key = try PublicKey(pem: text)
      #expect(key.spkiDER == (try Self.opensslDER(Array(text.utf8), inform: "PEM")))
      #expect(key.keyID == SHA256.hash(der).hex)
      #expect(key.algorithm == algorithm)
      let message = Array("a harvest of 1250 KGM".utf8)
      let signature = try privateKey.signature(for: message)
      #expect(key.isValidSignature(signature, for: message))
      #expect(!key.isValidSignature(signature, for: message + [0x0A]))
    }
    let fromDER = try PublicKey(spkiDER: der)
    #expect(fromDER == privateKey.publicKey)
    #expect(fromDER.keyID == privateKey.publicKey.keyID)
  }

  @Test func otherPEMLayoutsAreLeftToOpenSSL() throws {
    let key = try PrivateKey.generate().publicKey
    let body = Base64.encode(key.spkiDER)
    let layouts = [
      "a comment before the block\n" + key.pem,
      "-----BEGIN PUBLIC KEY-----\n\n\(body)\n-----END PUBLIC KEY-----\n",
      " " + key.pem,
      key.pem + "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END PUBLIC KEY-----\n",
    ]
    for text in layouts {
      #expect(Array(text.utf8).withUnsafeBytes(FixedFormSPKI.der(inPEM:)) == nil, "\(text)")
      // Whatever OpenSSL makes of it, Loam makes too.
      let expected = try Self.opensslDER(Array(text.utf8), inform: "PEM")
      let read = try? PublicKey(pem: text)
      #expect(read?.spkiDER == expected, "\(text)")
    }
  }

  @Test func aP256PointOffTheCurveIsRefused() throws {
    var der = try PrivateKey.generate(.ecdsaP256SHA256).publicKey.spkiDER
    der[der.count - 1] ^= 1
    #expect(der.withUnsafeBytes(FixedFormSPKI.publicKey) == nil)
    #expect(try Self.opensslDER(der, inform: "DER") == nil)
    #expect(code(of: { try PublicKey(spkiDER: der) }) == .keyMalformed)
    let pem = "-----BEGIN PUBLIC KEY-----\n\(Base64.encode(der))\n-----END PUBLIC KEY-----\n"
    #expect(code(of: { try PublicKey(pem: pem) }) == .keyMalformed)
  }

  @Test func aCompressedP256PointIsStillRead() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("p256.pem")
    try OpenSSLCLI.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
    let compressed = try OpenSSLCLI.run(["pkey", "-in", path, "-pubout", "-outform", "DER", "-ec_conv_form", "compressed"])
    let der = [UInt8](compressed.stdout)
    #expect(compressed.status == 0 && der.count == 59)
    #expect(der.withUnsafeBytes(FixedFormSPKI.publicKey) == nil)
    let key = try PublicKey(spkiDER: der)
    #expect(key.algorithm == .ecdsaP256SHA256)
    #expect(key.spkiDER == (try Self.opensslDER(der, inform: "DER")))
  }
}
