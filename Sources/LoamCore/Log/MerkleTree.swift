public import LoamCrypto

/// RFC 9162 hashing: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right).
public enum MerkleHash {
  public static func leaf(_ data: some Collection<UInt8>) -> SHA256Digest { SHA256.hash(prefix: 0x00, data) }
  public static func node(_ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest { SHA256.hash(prefix: 0x01, left, right) }
  /// The root of the empty tree: SHA-256 of nothing.
  public static let empty = SHA256.hash([UInt8]())
}

/// The append-only RFC 9162 tree kept as a compact range: the roots of its perfect subtrees,
/// largest first (at most 64), so appending is O(log n) and the root is O(log n).
public struct CompactRange: Hashable, Sendable {
  public private(set) var size: UInt64 = 0
  public private(set) var nodes: [SHA256Digest] = []

  public init() {}

  /// Restores a range from its size and nodes (one per set bit of `size`).
  public init?(size: UInt64, nodes: [SHA256Digest]) {
    guard size.nonzeroBitCount == nodes.count else { return nil }
    self.size = size
    self.nodes = nodes
  }

  public mutating func append(leafHash: SHA256Digest) {
    nodes.append(leafHash)
    var bits = size
    while bits & 1 == 1 {
      let right = nodes.removeLast()
      let left = nodes.removeLast()
      nodes.append(MerkleHash.node(left, right))
      bits >>= 1
    }
    size += 1
  }

  /// The tree head (MTH of all leaves).
  public var root: SHA256Digest {
    guard var accumulator = nodes.last else { return MerkleHash.empty }
    for node in nodes.dropLast().reversed() { accumulator = MerkleHash.node(node, accumulator) }
    return accumulator
  }
}
