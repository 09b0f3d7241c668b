import Foundation
import LoamCrypto
import Testing

/// Keys and signatures cross between Loam and the `openssl` command in both directions.
@Suite struct OpenSSLInteropTests {
  static let generators: [(SignatureAlgorithm, [[String]])] = [
    (.ed25519, [["genpkey", "-algorithm", "ed25519", "-out", "KEY"]]),
    (.ecdsaP256SHA256, [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "KEY"]]),
    // What `openssl ecparam -genkey` writes: an EC PARAMETERS block, then a SEC1 EC PRIVATE KEY.
    (.ecdsaP256SHA256, [["ecparam", "-name", "prime256v1", "-genkey", "-out", "KEY"]]),
  ]

  @Test(arguments: 0..<3)
  func opensslKeysLoadWithTheSameKeyID(_ index: Int) throws {
    let (algorithm, commands) = Self.generators[index]
    let directory = try TemporaryDirectory()
    let keyPath = directory.path("key.pem")
    for command in commands {
      let result = try OpenSSLCLI.run(command.map { $0 == "KEY" ? keyPath : $0 })
      #expect(result.status == 0, "\(result.stderr)")
    }
    let key = try PrivateKey(encoded: SecureBytes([UInt8](Data(contentsOf: URL(fileURLWithPath: keyPath)))))
    #expect(key.algorithm == algorithm)
    // openssl pkey -pubout -outform DER | sha256sum
    let der = try OpenSSLCLI.run(["pkey", "-in", keyPath, "-pubout", "-outform", "DER"]).stdout
    #expect(key.publicKey.keyID == SHA256.hash([UInt8](der)).hex)
  }

  @Test(arguments: SignatureAlgorithm.allCases)
  func loamKeysLoadInOpenSSL(_ algorithm: SignatureAlgorithm) throws {
    let directory = try TemporaryDirectory()
    let key = try PrivateKey.generate(algorithm)
    let plainPath = directory.path("plain.pem")
    try key.pkcs8PEM().withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: plainPath)) }
    let plain = try OpenSSLCLI.run(["pkey", "-in", plainPath, "-pubout", "-outform", "DER"])
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect([UInt8](plain.stdout) == key.publicKey.spkiDER)

    let encryptedPath = directory.path("encrypted.pem")
    try key.pkcs8PEM(passphrase: SecureBytes(Array("s3cret pass".utf8))).withUnsafeBytes {
      try Data($0).write(to: URL(fileURLWithPath: encryptedPath))
    }
    let encrypted = try OpenSSLCLI.run([
      "pkey", "-in", encryptedPath, "-passin", "pass:s3cret pass", "-pubout", "-outform", "DER",
    ])
    #expect(encrypted.status == 0, "\(encrypted.stderr)")
    #expect([UInt8](encrypted.stdout) == key.publicKey.spkiDER)

    let publicPath = directory.path("public.pem")
    try Data(key.publicKey.pem.utf8).write(to: URL(fileURLWithPath: publicPath))
    let publicResult = try OpenSSLCLI.run(["pkey", "-pubin", "-in", publicPath, "-outform", "DER"])
    #expect([UInt8](publicResult.stdout) == key.publicKey.spkiDER)
  }

  static let message = Data("2026-09-14 harvest of lot LOT42, 1250 KGM of Grenache\n".utf8)

  @Test(arguments: SignatureAlgorithm.allCases)
  func loamSignaturesVerifyInOpenSSL(_ algorithm: SignatureAlgorithm) throws {
    let directory = try TemporaryDirectory()
    let key = try PrivateKey.generate(algorithm)
    let publicPath = directory.path("public.pem")
    let messagePath = directory.path("message")
    let signaturePath = directory.path("signature")
    try Data(key.publicKey.pem.utf8).write(to: URL(fileURLWithPath: publicPath))
    try Self.message.write(to: URL(fileURLWithPath: messagePath))
    try Data(try key.signature(for: [UInt8](Self.message))).write(to: URL(fileURLWithPath: signaturePath))
    let verify: [String] =
      algorithm == .ed25519
      ? ["pkeyutl", "-verify", "-pubin", "-inkey", publicPath, "-rawin", "-in", messagePath, "-sigfile", signaturePath]
      : ["dgst", "-sha256", "-verify", publicPath, "-signature", signaturePath, messagePath]
    let result = try OpenSSLCLI.run(verify)
    #expect(result.status == 0, "\(result.stderr)")

    // And a wrong message fails in OpenSSL too, so the check above means something.
    try Data("tampered".utf8).write(to: URL(fileURLWithPath: messagePath))
    #expect(try OpenSSLCLI.run(verify).status != 0)
  }

  @Test(arguments: SignatureAlgorithm.allCases)
  func opensslSignaturesVerifyInLoam(_ algorithm: SignatureAlgorithm) throws {
    let directory = try TemporaryDirectory()
    let keyPath = directory.path("key.pem")
    let messagePath = directory.path("message")
    let signaturePath = directory.path("signature")
    let generate =
      algorithm == .ed25519
      ? ["genpkey", "-algorithm", "ed25519", "-out", keyPath]
      : ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyPath]
    try OpenSSLCLI.run(generate)
    try Self.message.write(to: URL(fileURLWithPath: messagePath))
    let sign =
      algorithm == .ed25519
      ? ["pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", messagePath, "-out", signaturePath]
      : ["dgst", "-sha256", "-sign", keyPath, "-out", signaturePath, messagePath]
    let result = try OpenSSLCLI.run(sign)
    #expect(result.status == 0, "\(result.stderr)")
    let key = try PrivateKey(encoded: SecureBytes([UInt8](Data(contentsOf: URL(fileURLWithPath: keyPath)))))
    let signature = try [UInt8](Data(contentsOf: URL(fileURLWithPath: signaturePath)))
    #expect(key.publicKey.isValidSignature(signature, for: [UInt8](Self.message)))
    #expect(!key.publicKey.isValidSignature(signature, for: [UInt8](Self.message.dropLast())))
  }
}
