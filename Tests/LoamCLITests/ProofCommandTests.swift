import Foundation
import LoamCore
import LoamCrypto
import Testing

/// `loam proof`: a C2SP tlog-proof for an entry against the signed checkpoint, and consistency
/// proofs between tree sizes, each checked by the RFC 9162 verifier.
@Suite struct ProofCommandTests {
  let fixture = SupplyChainFixture.shared

  @Test func inclusionProofsVerifyAgainstTheSignedCheckpoint() throws {
    let entries = try lines(of: fixture.ledger)
    for seq in [0, 7, entries.count - 1] {
      let result = try LoamBinary.run(["proof", "inclusion", String(seq), "--ledger", fixture.ledger])
      #expect(result.status == 0, "\(result)")
      let parts = result.stdout.components(separatedBy: "\n\n")
      let header = parts[0].split(separator: "\n").map(String.init)
      #expect(header[0] == "c2sp.org/tlog-proof@v1")
      #expect(header[1] == "index \(seq)")
      let proof = try header.dropFirst(2).map { try #require(SHA256Digest(bytes: Base64.decode($0) ?? [])) }
      // The rest is the checkpoint verbatim: verify its signature and use its root.
      let note = try Note(parsing: Array(parts.dropFirst().joined(separator: "\n\n").utf8))
      #expect(Array(note.serialized.utf8) == [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture.ledger + "/checkpoint"))))
      let checkpoint = try Checkpoint(text: note.text)
      let leaf = MerkleHash.leaf([UInt8](entries[seq]))
      try MerkleProof.verifyInclusion(
        leaf: leaf, index: UInt64(seq), size: checkpoint.size, proof: proof, root: checkpoint.rootHash)
      // Another entry's leaf does not verify with this path.
      let other = MerkleHash.leaf([UInt8](entries[(seq + 1) % entries.count]))
      #expect(throws: MerkleProof.Failure.self) {
        try MerkleProof.verifyInclusion(
          leaf: other, index: UInt64(seq), size: checkpoint.size, proof: proof, root: checkpoint.rootHash)
      }
    }
  }

  @Test func consistencyProofsVerify() throws {
    let result = try LoamBinary.run([
      "proof", "consistency", "5", String(SupplyChainFixture.entryCount), "--ledger", fixture.ledger,
    ])
    #expect(result.status == 0, "\(result)")
    let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    func digest(_ value: Any?) throws -> SHA256Digest {
      try #require(SHA256Digest(bytes: Base64.decode(value as? String ?? "") ?? []))
    }
    let proof = try (object["proof"] as? [String] ?? []).map { try digest($0) }
    try MerkleProof.verifyConsistency(
      size1: 5, size2: UInt64(SupplyChainFixture.entryCount), proof: proof, root1: try digest(object["root1"]),
      root2: try digest(object["root2"]))
    #expect(try LoamBinary.run(["proof", "consistency", "0", "3", "--ledger", fixture.ledger]).status == 2)
    #expect(try LoamBinary.run(["proof", "inclusion", "999", "--ledger", fixture.ledger]).status == 2)
  }
}
