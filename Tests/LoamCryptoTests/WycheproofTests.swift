import Foundation
import LoamCrypto
import Testing

/// Project Wycheproof: every `valid` vector verifies, every `invalid` one is rejected.
@Suite struct WycheproofTests {
  struct Outcome {
    var checked = 0
    var mismatches: [String] = []
  }

  /// Runs every test of a Wycheproof file through `PublicKey.isValidSignature`.
  /// A group whose key does not load must consist of invalid tests only.
  func run(_ file: String, signature transform: ([UInt8]) -> [UInt8]? = { $0 }) throws -> Outcome {
    let document = try Vectors.json("wycheproof/\(file)")
    let groups = try #require(document["testGroups"] as? [[String: Any]])
    var outcome = Outcome()
    for group in groups {
      let key = try? PublicKey(spkiDER: Vectors.hex(group["publicKeyDer"]))
      for test in try #require(group["tests"] as? [[String: Any]]) {
        let id = test["tcId"] as? Int ?? -1
        let expected = (test["result"] as? String) == "valid"
        let message = Vectors.hex(test["msg"])
        var actual = false
        if let key, let signature = transform(Vectors.hex(test["sig"])) {
          actual = key.isValidSignature(signature, for: message)
        }
        outcome.checked += 1
        if actual != expected { outcome.mismatches.append("tcId \(id): expected \(expected), got \(actual)") }
      }
    }
    return outcome
  }

  @Test func ed25519() throws {
    let outcome = try run("ed25519_test.json")
    #expect(outcome.checked == 151)
    #expect(outcome.mismatches == [])
  }

  @Test func ecdsaP256SHA256DER() throws {
    let outcome = try run("ecdsa_secp256r1_sha256_test.json")
    #expect(outcome.checked == 484)
    #expect(outcome.mismatches == [])
  }

  /// P1363 (`r ‖ s`) signatures are accepted only through the explicit conversion, which takes
  /// exactly 64 bytes; anything else is rejected before OpenSSL sees it.
  @Test func ecdsaP256SHA256P1363ConvertedToDER() throws {
    let outcome = try run("ecdsa_secp256r1_sha256_p1363_test.json") { try? ECDSASignature.der(fromP1363: $0) }
    #expect(outcome.checked == 262)
    #expect(outcome.mismatches == [])
  }

  /// Loam verifies DER only: a raw P1363 signature handed to `isValidSignature` never verifies.
  @Test func rawP1363SignaturesAreNotAcceptedAsDER() throws {
    let document = try Vectors.json("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json")
    let group = try #require((document["testGroups"] as? [[String: Any]])?.first)
    let key = try PublicKey(spkiDER: Vectors.hex(group["publicKeyDer"]))
    let valid = try #require((group["tests"] as? [[String: Any]])?.first { ($0["result"] as? String) == "valid" })
    let raw = Vectors.hex(valid["sig"])
    #expect(!key.isValidSignature(raw, for: Vectors.hex(valid["msg"])))
    #expect(key.isValidSignature(try ECDSASignature.der(fromP1363: raw), for: Vectors.hex(valid["msg"])))
  }
}

/// C2SP CCTV's 914 Ed25519 edge cases. There is no single right answer; Loam verifies through
/// OpenSSL and pins its behaviour: reject exactly when R is non-canonical or the low-order
/// residue is non-zero (the ref10/Go/OpenSSL rule), accept the rest.
@Suite struct Ed25519EdgeCaseTests {
  @Test func behaveAsOpenSSLDoes() throws {
    let data = try Vectors.data("ed25519-edge-cases/ed25519vectors.json")
    let vectors = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    #expect(vectors.count == 914)
    var accepted = 0
    var mismatches: [Int] = []
    for vector in vectors {
      let flags = vector["flags"] as? [String] ?? []
      let expected = !(flags.contains("non_canonical_R") || flags.contains("low_order_residue"))
      let message = Array((vector["msg"] as? String ?? "").utf8)
      let key = try? PublicKey(ed25519Raw: Vectors.hex(vector["key"]))
      let actual = key?.isValidSignature(Vectors.hex(vector["sig"]), for: message) ?? false
      if actual { accepted += 1 }
      if actual != expected { mismatches.append(vector["number"] as? Int ?? -1) }
    }
    #expect(mismatches == [])
    #expect(accepted == 208)
  }
}

/// RFC 8032 §7.1: Ed25519 is deterministic, so signing from the seed reproduces each signature.
@Suite struct RFC8032Tests {
  @Test func signAndVerifyKnownAnswers() throws {
    let document = try Vectors.json("rfc-vectors/rfc8032-ed25519.json")
    let vectors = try #require(document["vectors"] as? [[String: Any]])
    #expect(vectors.count == 5)
    for vector in vectors {
      let key = try PrivateKey(ed25519Seed: SecureBytes(Vectors.hex(vector["secretKeySeed"])))
      #expect(key.publicKey.ed25519Raw == Vectors.hex(vector["publicKey"]), "\(vector["name"] ?? "")")
      let message = Vectors.hex(vector["message"])
      let signature = try key.signature(for: message)
      #expect(signature == Vectors.hex(vector["signature"]), "\(vector["name"] ?? "")")
      #expect(key.publicKey.isValidSignature(signature, for: message))
      var tampered = message
      tampered.append(0)
      #expect(!key.publicKey.isValidSignature(signature, for: tampered))
    }
  }
}
