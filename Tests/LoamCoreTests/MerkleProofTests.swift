import Foundation
import LoamCore
import LoamCrypto
import Testing

/// RFC 9162 proofs against transparency-dev's vectors, the 130-leaf derived set, and a
/// property test of generation against verification for random sizes.
@Suite struct MerkleProofTests {
  static let base = "merkle/transparency-dev-testdata"

  static func files(_ kind: String) throws -> [String] {
    let root = Vectors.root.appendingPathComponent("\(base)/\(kind)")
    let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
    return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted().map { "\(base)/\(kind)/\($0)" }
  }

  static func bytes(_ value: Any?) -> [UInt8] { (value as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? [] }

  @Test func everyInclusionCase() throws {
    let files = try Self.files("inclusion")
    #expect(files.count > 60)
    for file in files {
      let v = try Vectors.json(file)
      let wantErr = v["wantErr"] as? Bool ?? true
      let proof = (v["proof"] as? [Any] ?? []).map(Self.bytes)
      let result = Result { () throws(MerkleProof.Failure) -> Void in
        guard let leaf = SHA256Digest(bytes: Self.bytes(v["leafHash"])), let root = SHA256Digest(bytes: Self.bytes(v["root"]))
        else {
          throw .malformedHash
        }
        try MerkleProof.verifyInclusion(
          leaf: leaf, index: (v["leafIdx"] as? NSNumber)?.uint64Value ?? 0, size: (v["treeSize"] as? NSNumber)?.uint64Value ?? 0,
          proof: try MerkleProof.digests(proof), root: root)
      }
      if case .success = result {
        #expect(!wantErr, "\(file) verified but should not")
      } else {
        #expect(wantErr, "\(file): \(result)")
      }
    }
  }

  @Test func everyConsistencyCase() throws {
    let files = try Self.files("consistency")
    #expect(files.count > 60)
    for file in files {
      let v = try Vectors.json(file)
      let wantErr = v["wantErr"] as? Bool ?? true
      let proof = (v["proof"] as? [Any] ?? []).map(Self.bytes)
      let result = Result { () throws(MerkleProof.Failure) -> Void in
        // Roots of other lengths ("don't care" placeholders) are compared as given when sizes are equal.
        let r1 = Self.bytes(v["root1"])
        let r2 = Self.bytes(v["root2"])
        let size1 = (v["size1"] as? NSNumber)?.uint64Value ?? 0
        let size2 = (v["size2"] as? NSNumber)?.uint64Value ?? 0
        if size1 == size2, size1 > 0, SHA256Digest(bytes: r1) == nil || SHA256Digest(bytes: r2) == nil {
          guard proof.isEmpty, r1 == r2 else { throw .rootMismatch }
          return
        }
        guard let root1 = SHA256Digest(bytes: r1), let root2 = SHA256Digest(bytes: r2) else { throw .malformedHash }
        try MerkleProof.verifyConsistency(
          size1: size1, size2: size2, proof: try MerkleProof.digests(proof), root1: root1, root2: root2)
      }
      if case .success = result {
        #expect(!wantErr, "\(file) verified but should not")
      } else {
        #expect(wantErr, "\(file): \(result)")
      }
    }
  }

  static let leaves130 = (0..<130).map { MerkleHash.leaf([UInt8($0)]) }

  @Test func derived130LeafProofsAreGeneratedExactly() throws {
    let vectors = try Vectors.json("merkle/derived_rfc9162_vectors_130_leaves.json")
    let inclusion = try #require(vectors["inclusionProofs"] as? [[String: Any]])
    let consistency = try #require(vectors["consistencyProofs"] as? [[String: Any]])
    #expect(inclusion.count > 100 && consistency.count > 100)
    for v in inclusion {
      let index = v["leafIndex"] as? Int ?? -1
      let size = v["treeSize"] as? Int ?? 0
      let expected = (v["proof"] as? [String] ?? []).compactMap { SHA256Digest(hex: $0) }
      #expect(try MerkleProof.inclusionProof(index: index, leaves: Self.leaves130[..<size]) == expected, "\(index)/\(size)")
      let root = try #require(SHA256Digest(hex: v["root"] as? String ?? ""))
      try MerkleProof.verifyInclusion(
        leaf: Self.leaves130[index], index: UInt64(index), size: UInt64(size), proof: expected, root: root)
    }
    for v in consistency {
      let size1 = v["size1"] as? Int ?? 0
      let size2 = v["size2"] as? Int ?? 0
      let expected = (v["proof"] as? [String] ?? []).compactMap { SHA256Digest(hex: $0) }
      #expect(try MerkleProof.consistencyProof(size1: size1, leaves: Self.leaves130[..<size2]) == expected, "\(size1)→\(size2)")
      let root1 = try #require(SHA256Digest(hex: v["root1"] as? String ?? ""))
      let root2 = try #require(SHA256Digest(hex: v["root2"] as? String ?? ""))
      try MerkleProof.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), proof: expected, root1: root1, root2: root2)
    }
  }

  /// Random sizes up to 2,000: generated proofs verify, roots match the compact range, and a
  /// changed hash or index is refused. (The size is committed by the checkpoint, not the path.)
  @Test func generatedProofsVerifyForRandomSizes() throws {
    var generator = SystemRandomNumberGenerator()
    let leaves = (0..<2000).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) }
    var range = CompactRange()
    var roots: [SHA256Digest] = [range.root]
    for leaf in leaves {
      range.append(leafHash: leaf)
      roots.append(range.root)
    }
    for _ in 0..<200 {
      let size = Int.random(in: 1...2000, using: &generator)
      #expect(MerkleProof.root(leaves[..<size]) == roots[size])
      let index = Int.random(in: 0..<size, using: &generator)
      let proof = try MerkleProof.inclusionProof(index: index, leaves: leaves[..<size])
      try MerkleProof.verifyInclusion(
        leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: proof, root: roots[size])
      if !proof.isEmpty {
        var bad = proof
        bad[Int.random(in: 0..<bad.count, using: &generator)] = MerkleHash.leaf([1])
        #expect(throws: MerkleProof.Failure.self) {
          try MerkleProof.verifyInclusion(
            leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: bad, root: roots[size])
        }
        // The sibling's index: the path would hash the pair the other way round.
        if index ^ 1 < size {
          #expect(throws: MerkleProof.Failure.self) {
            try MerkleProof.verifyInclusion(
              leaf: leaves[index], index: UInt64(index ^ 1), size: UInt64(size), proof: proof, root: roots[size])
          }
        }
      }
      let old = Int.random(in: 1...size, using: &generator)
      let consistency = try MerkleProof.consistencyProof(size1: old, leaves: leaves[..<size])
      try MerkleProof.verifyConsistency(
        size1: UInt64(old), size2: UInt64(size), proof: consistency, root1: roots[old], root2: roots[size])
      if old < size {
        #expect(throws: MerkleProof.Failure.self) {
          try MerkleProof.verifyConsistency(
            size1: UInt64(old), size2: UInt64(size), proof: consistency, root1: roots[old], root2: roots[size - 1])
        }
      }
    }
  }
}

/// Proofs from stored perfect subtrees (what a ledger directory keeps) equal proofs from leaves.
@Suite struct StoredNodeProofTests {
  @Test func storedSubtreesGiveTheSameProofs() throws {
    var generator = SystemRandomNumberGenerator()
    let leaves = (0..<1500).map { MerkleHash.leaf(Array("entry \($0)".utf8)) }
    var range = CompactRange()
    var nodes: [MerkleNodeID: SHA256Digest] = [:]
    for leaf in leaves { range.append(leafHash: leaf) { id, hash in nodes[id] = hash } }
    for _ in 0..<150 {
      let size = UInt64.random(in: 1...1500, using: &generator)
      let index = UInt64.random(in: 0..<size, using: &generator)
      #expect(try MerkleProof.root(start: 0, count: size) { nodes[$0] } == MerkleProof.root(leaves[..<Int(size)]))
      let stored = try MerkleProof.inclusionProof(index: index, size: size) { nodes[$0] }
      #expect(stored == (try MerkleProof.inclusionProof(index: Int(index), leaves: leaves[..<Int(size)])))
    }
    // A missing node is an error, never a wrong proof.
    #expect(throws: MerkleProof.Failure.self) { try MerkleProof.inclusionProof(index: 3, size: 1500) { _ in nil } }
  }
}
