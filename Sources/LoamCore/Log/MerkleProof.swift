public import LoamCrypto

/// RFC 9162 inclusion and consistency proofs: generation from leaf hashes and verification.
/// The index math is pure; where the hashes come from (the log, stored tree nodes) is the
/// caller's business.
public enum MerkleProof {
  public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
    case indexOutOfRange
    case sizesOutOfOrder
    case emptyTree
    case wrongLength
    case rootMismatch
    case malformedHash

    public var description: String {
      switch self {
      case .indexOutOfRange: "the index is not below the tree size"
      case .sizesOutOfOrder: "the old tree is larger than the new one"
      case .emptyTree: "a consistency proof from the empty tree means nothing"
      case .wrongLength: "the proof has the wrong number of hashes for these sizes"
      case .rootMismatch: "the proof does not lead to the root"
      case .malformedHash: "a hash is not 32 bytes"
      }
    }
  }

  // MARK: Generation (RFC 9162 §2.1.3.1 and §2.1.4.1)

  static func largestPowerOfTwo(below n: Int) -> Int {
    var k = 1
    while k << 1 < n { k <<= 1 }
    return k
  }

  /// MTH over leaf hashes.
  public static func root(_ leaves: ArraySlice<SHA256Digest>) -> SHA256Digest {
    switch leaves.count {
    case 0: return MerkleHash.empty
    case 1: return leaves[leaves.startIndex]
    default:
      let k = largestPowerOfTwo(below: leaves.count)
      let split = leaves.startIndex + k
      return MerkleHash.node(root(leaves[..<split]), root(leaves[split...]))
    }
  }

  /// PATH(index, leaves): the audit path from the leaf's sibling up to the root's child.
  public static func inclusionProof(index: Int, leaves: ArraySlice<SHA256Digest>) throws(Failure) -> [SHA256Digest] {
    guard index >= 0, index < leaves.count else { throw .indexOutOfRange }
    return path(index, leaves)
  }

  private static func path(_ m: Int, _ leaves: ArraySlice<SHA256Digest>) -> [SHA256Digest] {
    guard leaves.count > 1 else { return [] }
    let k = largestPowerOfTwo(below: leaves.count)
    let split = leaves.startIndex + k
    if m < k { return path(m, leaves[..<split]) + [root(leaves[split...])] }
    return path(m - k, leaves[split...]) + [root(leaves[..<split])]
  }

  /// PROOF(size1, leaves): shows the tree of the first `size1` leaves is a prefix of this one.
  public static func consistencyProof(size1: Int, leaves: ArraySlice<SHA256Digest>) throws(Failure) -> [SHA256Digest] {
    guard size1 > 0 else { throw .emptyTree }
    guard size1 <= leaves.count else { throw .sizesOutOfOrder }
    return subproof(size1, leaves, complete: true)
  }

  private static func subproof(_ m: Int, _ leaves: ArraySlice<SHA256Digest>, complete: Bool) -> [SHA256Digest] {
    let n = leaves.count
    if m == n { return complete ? [] : [root(leaves)] }
    let k = largestPowerOfTwo(below: n)
    let split = leaves.startIndex + k
    if m <= k { return subproof(m, leaves[..<split], complete: complete) + [root(leaves[split...])] }
    return subproof(m - k, leaves[split...], complete: false) + [root(leaves[..<split])]
  }

  // MARK: Generation from stored perfect subtrees

  /// MTH of leaves `start ..< start+count`, from stored perfect subtree roots: O(log n) lookups.
  public static func root(start: UInt64, count: UInt64, node: (MerkleNodeID) -> SHA256Digest?) throws(Failure) -> SHA256Digest {
    guard count > 0 else { return MerkleHash.empty }
    if count & (count - 1) == 0 && start % count == 0 {
      guard let hash = node(MerkleNodeID(level: UInt8(count.trailingZeroBitCount), index: start / count)) else {
        throw .wrongLength
      }
      return hash
    }
    let k = UInt64(largestPowerOfTwo(below: Int(count)))
    return MerkleHash.node(try root(start: start, count: k, node: node), try root(start: start + k, count: count - k, node: node))
  }

  /// PATH(index, tree of `size`) from stored perfect subtree roots.
  public static func inclusionProof(index: UInt64, size: UInt64, node: (MerkleNodeID) -> SHA256Digest?) throws(Failure)
    -> [SHA256Digest]
  {
    guard index < size else { throw .indexOutOfRange }
    var path: [SHA256Digest] = []
    var start: UInt64 = 0
    var count = size
    var m = index
    // Walk down from the root, collecting the sibling of each step, then reverse (leaf first).
    while count > 1 {
      let k = UInt64(largestPowerOfTwo(below: Int(count)))
      if m < k {
        path.append(try root(start: start + k, count: count - k, node: node))
        count = k
      } else {
        path.append(try root(start: start, count: k, node: node))
        start += k
        count -= k
        m -= k
      }
    }
    return path.reversed()
  }

  // MARK: Verification (RFC 9162 §2.1.3.2 and §2.1.4.2)

  /// Checks that `leaf` is at `index` of the tree of `size` leaves whose root is `root`.
  public static func verifyInclusion(
    leaf: SHA256Digest, index: UInt64, size: UInt64, proof: [SHA256Digest], root: SHA256Digest
  ) throws(Failure) {
    guard index < size else { throw .indexOutOfRange }
    var fn = index
    var sn = size - 1
    var r = leaf
    for p in proof {
      guard sn != 0 else { throw .wrongLength }
      if fn & 1 == 1 || fn == sn {
        r = MerkleHash.node(p, r)
        if fn & 1 == 0 { shiftToRightBranch(&fn, &sn) }
      } else {
        r = MerkleHash.node(r, p)
      }
      fn >>= 1
      sn >>= 1
    }
    guard sn == 0 else { throw .wrongLength }
    guard r == root else { throw .rootMismatch }
  }

  /// Checks that the tree of `size1` leaves with `root1` is a prefix of the tree of `size2`
  /// leaves with `root2`. Equal sizes need an empty proof and equal roots; size 0 is refused.
  public static func verifyConsistency(
    size1: UInt64, size2: UInt64, proof: [SHA256Digest], root1: SHA256Digest, root2: SHA256Digest
  ) throws(Failure) {
    guard size1 <= size2 else { throw .sizesOutOfOrder }
    guard size1 > 0 else { throw .emptyTree }
    if size1 == size2 {
      guard proof.isEmpty else { throw .wrongLength }
      guard root1 == root2 else { throw .rootMismatch }
      return
    }
    guard !proof.isEmpty else { throw .wrongLength }
    var path = proof[...]
    // A perfect old tree is its own first node.
    if size1 & (size1 - 1) == 0 { path = [root1] + path }
    var fn = size1 - 1
    var sn = size2 - 1
    while fn & 1 == 1 {
      fn >>= 1
      sn >>= 1
    }
    var fr = path[path.startIndex]
    var sr = fr
    for c in path.dropFirst() {
      guard sn != 0 else { throw .wrongLength }
      if fn & 1 == 1 || fn == sn {
        fr = MerkleHash.node(c, fr)
        sr = MerkleHash.node(c, sr)
        if fn & 1 == 0 { shiftToRightBranch(&fn, &sn) }
      } else {
        sr = MerkleHash.node(sr, c)
      }
      fn >>= 1
      sn >>= 1
    }
    guard sn == 0 else { throw .wrongLength }
    guard fr == root1, sr == root2 else { throw .rootMismatch }
  }

  /// RFC 9162: "right-shift fn and sn equally until either LSB(fn) is set or fn is 0" (after one shift).
  private static func shiftToRightBranch(_ fn: inout UInt64, _ sn: inout UInt64) {
    repeat {
      fn >>= 1
      sn >>= 1
    } while fn & 1 == 0 && fn != 0
  }

  /// Hashes from bytes, refusing any that are not 32 bytes.
  public static func digests(_ hashes: [[UInt8]]) throws(Failure) -> [SHA256Digest] {
    var out: [SHA256Digest] = []
    for bytes in hashes {
      guard let digest = SHA256Digest(bytes: bytes) else { throw .malformedHash }
      out.append(digest)
    }
    return out
  }
}
