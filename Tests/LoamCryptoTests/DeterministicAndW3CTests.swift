import Foundation
import LoamCrypto
import Testing

/// RFC 6979 deterministic P-256 signatures: OpenSSL 3.0 cannot sign deterministically, so these
/// are verification vectors (DER, and P1363 through the explicit conversion).
@Suite struct RFC6979Tests {
  @Test func deterministicSignaturesVerify() throws {
    let document = try Vectors.json("rfc-vectors/rfc6979-p256-sha256.json")
    let key = try PublicKey(spkiDER: Vectors.hex(document["publicKeySpkiDerHex"]))
    let vectors = try #require(document["vectors"] as? [[String: Any]])
    #expect(vectors.count == 3)
    for vector in vectors {
      let message = Vectors.hex(vector["messageHex"])
      #expect(SHA256.hash(message).hex == vector["sha256OfMessage"] as? String)
      let der = Vectors.hex(vector["signatureDer"])
      #expect(key.isValidSignature(der, for: message))
      #expect(try ECDSASignature.der(fromP1363: Vectors.hex(vector["signatureP1363"])) == der)
      #expect(!key.isValidSignature(der, for: message + [0]))
    }
  }
}

/// W3C Data Integrity eddsa-jcs-2022 and ecdsa-jcs-2019: JCS of a real document, hashed and
/// signed. The closest public analogue of "sign a JSON record with JCS".
@Suite struct W3CDataIntegrityTests {
  func text(_ path: String) throws -> [UInt8] { try Vectors.bytes("w3c-data-integrity/\(path)") }

  @Test func eddsaJCS2022() throws {
    let canonicalDocument = try JCS.canonicalize(json: try text("unsigned.json"))
    #expect(canonicalDocument == (try text("eddsa-jcs-2022/canonDocJCS.txt")))
    let canonicalProof = try JCS.canonicalize(json: try text("eddsa-jcs-2022/proofConfigJCS.json"))
    #expect(canonicalProof == (try text("eddsa-jcs-2022/proofCanonJCS.txt")))
    let combined = SHA256.hash(canonicalProof).bytes + SHA256.hash(canonicalDocument).bytes
    #expect(combined.hexString == String(decoding: try text("eddsa-jcs-2022/combinedHashJCS.txt"), as: UTF8.self))

    let keys = try Vectors.json("w3c-data-integrity/decoded-keys.json")
    let ed = try #require(keys["eddsa-jcs-2022"] as? [String: Any])
    let key = try PrivateKey(ed25519Seed: SecureBytes(Vectors.hex(ed["ed25519SeedHex"])))
    #expect(key.publicKey.ed25519Raw == Vectors.hex(ed["ed25519PublicKeyHex"]))
    let signature = try key.signature(for: combined)
    #expect(signature.hexString == String(decoding: try text("eddsa-jcs-2022/sigHexJCS.txt"), as: UTF8.self))
  }

  @Test func ecdsaJCS2019() throws {
    let canonicalDocument = try JCS.canonicalize(json: try text("unsigned.json"))
    #expect(canonicalDocument == (try text("ecdsa-jcs-2019-p256/canonDocJCSECDSAP256.txt")))
    let canonicalProof = try JCS.canonicalize(json: try text("ecdsa-jcs-2019-p256/proofConfigJCSECDSAP256.json"))
    #expect(canonicalProof == (try text("ecdsa-jcs-2019-p256/proofCanonJCSECDSAP256.txt")))
    let combined = SHA256.hash(canonicalProof).bytes + SHA256.hash(canonicalDocument).bytes

    let keys = try Vectors.json("w3c-data-integrity/decoded-keys.json")
    let ec = try #require(keys["ecdsa-jcs-2019-p256"] as? [String: Any])
    let key = try PublicKey(spkiDER: Vectors.hex(ec["p256PublicKeySpkiDerHex"]))
    let p1363 = Vectors.hex(String(decoding: try text("ecdsa-jcs-2019-p256/sigHexJCSECDSAP256.txt"), as: UTF8.self))
    #expect(key.isValidSignature(try ECDSASignature.der(fromP1363: p1363), for: combined))
  }
}
