import Foundation
import LoamCrypto
import Testing

/// The RustCrypto key-format samples (`Tests/Vectors/key-formats`), round trips of what Loam
/// writes, and the refusals a user sees for keys Loam does not accept.
@Suite struct KeyFormatTests {
  struct Sample {
    var file: String
    var spki: [UInt8]
    var isPrivate: Bool
    var password: String?
    var loadsInOpenSSL: Bool
  }

  static func samples() throws -> [Sample] {
    let document = try Vectors.json("key-formats/keys.json")
    let keys = try #require(document["keys"] as? [[String: Any]])
    return keys.map { key in
      let file = key["file"] as? String ?? ""
      return Sample(
        file: file,
        spki: Vectors.hex(key["publicKeySpkiDerHex"]),
        isPrivate: file.contains("priv"),
        password: key["password"] as? String,
        loadsInOpenSSL: !((key["parsesWith"] as? String) ?? "").hasPrefix("NOT"))
    }
  }

  @Test func everySampleLoadsOrIsRefusedClearly() throws {
    let samples = try Self.samples()
    #expect(samples.count == 13)
    for sample in samples {
      let bytes = try Vectors.bytes("key-formats/\(sample.file)")
      if !sample.loadsInOpenSSL {
        // RFC 8410 OneAsymmetricKey v2: OpenSSL 3.0 cannot load it, so Loam refuses it, clearly.
        #expect(throws: CryptoError.self, "\(sample.file)") {
          try PrivateKey(encoded: SecureBytes(bytes))
        }
        do {
          _ = try PrivateKey(encoded: SecureBytes(bytes))
        } catch let error as CryptoError {
          #expect(error.code == .keyMalformed)
          #expect(!error.message.isEmpty)
        }
        continue
      }
      let publicKey: PublicKey
      if sample.isPrivate {
        let passphrase = sample.password.map { SecureBytes(Array($0.utf8)) }
        publicKey = try PrivateKey(encoded: SecureBytes(bytes), passphrase: passphrase).publicKey
      } else {
        publicKey = try PublicKey(encoded: bytes)
      }
      #expect(publicKey.spkiDER == sample.spki, "\(sample.file)")
      #expect(publicKey.keyID == SHA256.hash(sample.spki).hex)
    }
  }

  @Test func encryptedSampleNeedsTheRightPassphrase() throws {
    let bytes = SecureBytes(try Vectors.bytes("key-formats/pkcs8-ed25519-encpriv-aes256-pbkdf2-sha256.pem"))
    #expect(code(of: { try PrivateKey(encoded: bytes) }) == .passphraseRequired)
    #expect(code(of: { try PrivateKey(encoded: bytes, passphrase: SecureBytes(Array("hunter43".utf8))) }) == .wrongPassphrase)
    let key = try PrivateKey(encoded: bytes, passphrase: SecureBytes(Array("hunter42".utf8)))
    #expect(key.algorithm == .ed25519)
  }

  @Test(arguments: SignatureAlgorithm.allCases)
  func writtenKeysReadBack(_ algorithm: SignatureAlgorithm) throws {
    let key = try PrivateKey.generate(algorithm)
    #expect(key.algorithm == algorithm)
    let plain = try key.pkcs8PEM()
    let plainText = plain.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    #expect(plainText.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    #expect(try PrivateKey(encoded: plain).publicKey == key.publicKey)

    let passphrase = SecureBytes(Array("correct horse battery staple".utf8))
    let encrypted = try key.pkcs8PEM(passphrase: passphrase)
    let encryptedText = encrypted.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    #expect(encryptedText.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
    #expect(try PrivateKey(encoded: encrypted, passphrase: passphrase).publicKey == key.publicKey)
    #expect(code(of: { try PrivateKey(encoded: encrypted, passphrase: SecureBytes(Array("wrong".utf8))) }) == .wrongPassphrase)

    let reread = try PublicKey(pem: key.publicKey.pem)
    #expect(reread == key.publicKey)
    #expect(reread.keyID.count == 64)
    #expect(try PublicKey(spkiDER: key.publicKey.spkiDER) == key.publicKey)
  }

  @Test func descriptionsNeverShowSecrets() throws {
    let key = try PrivateKey.generate()
    let pem = try key.pkcs8PEM()
    #expect(!String(describing: key).contains("PRIVATE"))
    #expect(String(describing: pem) == "SecureBytes(\(pem.count) bytes, redacted)")
  }

  @Test func malformedKeysGetClearErrors() throws {
    let pem = try PrivateKey.generate().pkcs8PEM().withUnsafeBytes { Array($0) }
    let truncated = SecureBytes(pem.prefix(pem.count / 2))
    #expect(code(of: { try PrivateKey(encoded: truncated) }) == .keyMalformed)
    #expect(code(of: { try PrivateKey(encoded: SecureBytes([UInt8]())) }) == .keyMalformed)
    #expect(code(of: { try PrivateKey(encoded: SecureBytes(Array("hello".utf8))) }) == .keyMalformed)
    let publicPEM = try PrivateKey.generate().publicKey.pem
    #expect(code(of: { try PrivateKey(encoded: SecureBytes(Array(publicPEM.utf8))) }) == .notPrivate)
    #expect(code(of: { try PublicKey(encoded: pem) }) == .keyMalformed)
    #expect(code(of: { try PublicKey(ed25519Raw: [1, 2, 3]) }) == .keyMalformed)
    #expect(code(of: { try PublicKey(spkiDER: Array(try PrivateKey.generate().publicKey.spkiDER.dropLast())) }) == .keyMalformed)
  }

  @Test(arguments: ["secp384r1", "secp256k1"])
  func otherCurvesAreRefused(_ curve: String) throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("\(curve).pem")
    try OpenSSLCLI.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-out", path])
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(code(of: { try PrivateKey(encoded: SecureBytes(bytes)) }) == .keyUnsupported)
    do {
      _ = try PrivateKey(encoded: SecureBytes(bytes))
    } catch let error as CryptoError {
      #expect(error.message.contains(curve))
      #expect(error.message.contains("P-256"))
    }
  }

  @Test func otherAlgorithmsAreRefused() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("rsa.pem")
    try OpenSSLCLI.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", path])
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(code(of: { try PrivateKey(encoded: SecureBytes(bytes)) }) == .keyUnsupported)
  }

  @Test func p1363ConversionIsMinimalDER() throws {
    var raw = [UInt8](repeating: 0, count: 64)
    raw[31] = 1  // r = 1
    raw[32] = 0x80  // s has its high bit set: needs a 0x00 pad
    let der = try ECDSASignature.der(fromP1363: raw)
    #expect(der.prefix(5) == [0x30, 0x26, 0x02, 0x01, 0x01])
    #expect(der[5...7] == [0x02, 0x21, 0x00])
    #expect(code(of: { try ECDSASignature.der(fromP1363: [UInt8](repeating: 1, count: 63)) }) == .malformedInput)
  }
}

func code(of body: () throws -> Any) -> CryptoError.Code? {
  do {
    _ = try body()
    return nil
  } catch let error as CryptoError {
    return error.code
  } catch {
    return nil
  }
}
