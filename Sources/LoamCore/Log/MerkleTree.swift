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
    append(leafHash: leafHash) { _, _ in }
  }

  /// Appends a leaf and reports every perfect subtree it completes (the leaf itself first), so a
  /// store can keep them and answer proofs with O(log n) reads.
  public mutating func append(leafHash: SHA256Digest, completed: (MerkleNodeID, SHA256Digest) -> Void) {
    let index = size
    completed(MerkleNodeID(level: 0, index: index), leafHash)
    nodes.append(leafHash)
    var bits = size
    var level: UInt8 = 0
    while bits & 1 == 1 {
      let right = nodes.removeLast()
      let left = nodes.removeLast()
      let node = MerkleHash.node(left, right)
      nodes.append(node)
      bits >>= 1
      level += 1
      completed(MerkleNodeID(level: level, index: index >> UInt64(level)), node)
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

/// A perfect subtree of the log's tree: leaves `index·2^level ..< (index+1)·2^level`.
public struct MerkleNodeID: Hashable, Sendable, Codable {
  public var level: UInt8
  public var index: UInt64

  public init(level: UInt8, index: UInt64) {
    self.level = level
    self.index = index
  }
}
