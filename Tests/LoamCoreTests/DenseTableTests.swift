import LoamCore
import LoamCrypto
import Testing

/// `DenseTable` keeps rows added in key order as one run and everything else in a `Table`; both
/// must read and report changes as one dictionary would.
@Suite struct DenseTableTests {
  /// Sets `writes` in order on a table and on a dictionary; they must agree on every key and on the
  /// changes, in key order.
  func agree(_ writes: [(UInt64, String?)], loader: [UInt64: String] = [:]) {
    let load: DenseTable<String>.Loader = { loader[$0] }
    var table = loader.isEmpty ? DenseTable<String>() : DenseTable<String>(loader: load)
    var expected: [UInt64: String?] = [:]
    for (key, value) in writes {
      table[key] = value
      expected[key] = .some(value)
    }
    for key in UInt64(0)...40 {
      let want: String? = if let set = expected[key] { set } else { loader[key] }
      #expect(table[key] == want, "key \(key)")
    }
    var changes: [(UInt64, String?)] = []
    table.forEachChange { changes.append(($0, $1)) }
    #expect(changes.map(\.0) == expected.keys.sorted())
    #expect(changes.allSatisfy { expected[$0.0] == .some($0.1) })
    #expect(table.hasChanges == !writes.isEmpty)
  }

  @Test func inOrderOutOfOrderAndRemovedRowsReadBack() {
    agree([])
    agree((5..<20).map { ($0, "v\($0)") })
    // Out of order, before and after the run, overwriting inside it, removing inside it.
    agree([(10, "a"), (11, "b"), (3, "c"), (12, "d"), (30, "e"), (11, "f"), (13, nil), (14, "g"), (2, "h")])
    // A key set out of order is not taken over by the run when the run reaches it.
    agree([(1, "a"), (3, "b"), (2, "c"), (3, "d"), (4, "e")])
    // Over a backing store: a removed row reads as absent, untouched rows come from the store.
    agree([(7, "x"), (8, nil), (9, "y")], loader: [8: "stored", 20: "also stored"])
  }

  @Test func persistingForgetsChangesOnlyOverABackingStore() {
    var memory = DenseTable<String>()
    memory[0] = "a"
    memory.markPersisted()
    #expect(memory[0] == "a")
    #expect(memory.hasChanges)

    var stored = DenseTable<String>(loader: { $0 == 0 ? "from the store" : nil })
    stored[0] = "a"
    stored[5] = "b"
    stored.markPersisted()
    #expect(!stored.hasChanges)
    #expect(stored[0] == "from the store")
    #expect(stored[5] == nil)
    stored[1] = "c"
    #expect(stored[1] == "c")
  }

  @Test func nodesAreKeptPerLevel() {
    var nodes = NodeTable()
    nodes.reserveCapacity(8)
    let a = SHA256.hash(Array("a".utf8))
    let b = SHA256.hash(Array("b".utf8))
    nodes[MerkleNodeID(level: 1, index: 0)] = a
    nodes[MerkleNodeID(level: 1, index: 1)] = b
    nodes[MerkleNodeID(level: 2, index: 0)] = b
    #expect(nodes[MerkleNodeID(level: 1, index: 1)] == b)
    #expect(nodes[MerkleNodeID(level: 2, index: 1)] == nil)
    #expect(nodes[MerkleNodeID(level: 9, index: 0)] == nil)
    #expect(nodes.changedLevels.map(\.level) == [1, 2])

    let stored = NodeTable(loader: { $0 == MerkleNodeID(level: 4, index: 2) ? a : nil })
    #expect(stored[MerkleNodeID(level: 4, index: 2)] == a)
    #expect(stored[MerkleNodeID(level: 4, index: 3)] == nil)
    #expect(stored.changedLevels.isEmpty)
  }
}
