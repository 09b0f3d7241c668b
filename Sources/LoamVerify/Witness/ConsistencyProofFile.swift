import LoamCore
public import LoamCrypto

/// The consistency proof file `loam proof consistency OLD NEW` writes and `loam witness cosign
/// --proof` reads: `{"size1", "size2", "root1", "root2", "proof": [base64 …]}` (RFC 9162 §2.1.4).
public struct ConsistencyProofFile: Hashable, Sendable {
  public var size1: UInt64
  public var size2: UInt64
  public var root1: SHA256Digest
  public var root2: SHA256Digest
  public var proof: [SHA256Digest]

  public init(size1: UInt64, size2: UInt64, root1: SHA256Digest, root2: SHA256Digest, proof: [SHA256Digest]) {
    self.size1 = size1
    self.size2 = size2
    self.root1 = root1
    self.root2 = root2
    self.proof = proof
  }

  public struct Malformed: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  public init(json value: JSONValue) throws(Malformed) {
    func digest(_ item: JSONValue?) -> SHA256Digest? {
      item?.stringValue.flatMap { Base64.decode($0) }.flatMap { SHA256Digest(bytes: $0) }
    }
    guard let size1 = value["size1"]?.numberValue?.int64, size1 >= 0, let size2 = value["size2"]?.numberValue?.int64,
      size2 >= size1, let root1 = digest(value["root1"]), let root2 = digest(value["root2"]),
      let hashes = value["proof"]?.arrayValue
    else {
      throw Malformed(description: "not a consistency proof: size1 ≤ size2, root1, root2 and proof (base64 SHA-256 hashes)")
    }
    var proof: [SHA256Digest] = []
    for item in hashes {
      guard let hash = digest(item) else { throw Malformed(description: "a proof hash is not 32 bytes of base64") }
      proof.append(hash)
    }
    self.init(size1: UInt64(size1), size2: UInt64(size2), root1: root1, root2: root2, proof: proof)
  }

  public var json: JSONValue {
    [
      "size1": .number(JSONNumber(size1)), "size2": .number(JSONNumber(size2)),
      "root1": .string(Base64.encode(root1.bytes)), "root2": .string(Base64.encode(root2.bytes)),
      "proof": .array(proof.map { .string(Base64.encode($0.bytes)) }),
    ]
  }

  /// Whether the proof shows the tree of `size1` entries with `root1` is a prefix of the tree of
  /// `size2` entries with `root2`.
  public func verify() -> Bool {
    (try? MerkleProof.verifyConsistency(size1: size1, size2: size2, proof: proof, root1: root1, root2: root2)) != nil
  }
}
