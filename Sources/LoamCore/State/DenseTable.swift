public import LoamCrypto

/// A table keyed by a dense number (an entry's seq, a tree node's index on its level) whose rows
/// are added in key order, one after the next, as entries are applied: those are kept as one
/// contiguous run, without hashing. Anything else (a row set out of order, a row read from the
/// backing store) goes to an ordinary `Table`.
///
/// A replay of a million entries sets a million locations and a million tree nodes: as
/// dictionaries they were about a tenth of the replaying thread's time (hashing, growing, faulting in
/// memory) and grouping them into packed rows took 1.5 s more.
public struct DenseTable<Value: Sendable>: Sendable {
  public typealias Loader = Table<UInt64, Value>.Loader

  /// The rows set in order: `run[i]` is key `runStart + i` (nil: removed).
  public private(set) var runStart: UInt64 = 0
  public private(set) var run: [Value?] = []
  /// Rows set out of order, over the backing store.
  private var rest: Table<UInt64, Value>

  public init(loader: Loader? = nil) { rest = Table(loader: loader) }

  private func runIndex(_ key: UInt64) -> Int? {
    key >= runStart && key - runStart < UInt64(run.count) ? Int(key - runStart) : nil
  }

  public subscript(key: UInt64) -> Value? {
    get {
      if let index = runIndex(key) { return run[index] }
      return rest[key]
    }
    set {
      if let index = runIndex(key) {
        run[index] = newValue
      } else if rest.changes.isEmpty || rest.changes[key] == nil, run.isEmpty || key == runStart + UInt64(run.count) {
        if run.isEmpty { runStart = key }
        run.append(newValue)
      } else {
        rest[key] = newValue
      }
    }
  }

  /// Whether any row was set or removed in memory.
  public var hasChanges: Bool { !run.isEmpty || !rest.changes.isEmpty }

  /// Each row set (or removed: nil) in memory, in key order.
  public func forEachChange(_ body: (UInt64, Value?) throws -> Void) rethrows {
    let others = rest.changes.keys.sorted()
    var next = others.startIndex
    for (offset, value) in run.enumerated() {
      let key = runStart + UInt64(offset)
      while next < others.endIndex, others[next] < key {
        try body(others[next], rest.changes[others[next]]!)
        next += 1
      }
      try body(key, value)
    }
    for key in others[next...] { try body(key, rest.changes[key]!) }
  }

  public mutating func reserveCapacity(_ count: Int) { run.reserveCapacity(count) }

  /// Forgets the in-memory changes (after they were written to the backing store); an in-memory
  /// table keeps them, as `Table` does.
  public mutating func markPersisted() {
    guard rest.hasBackingStore else { return }
    run.removeAll(keepingCapacity: true)
    runStart = 0
    rest.markPersisted()
  }
}

/// The tree's inner nodes, one `DenseTable` per level: a level's nodes complete in index order.
public struct NodeTable: Sendable {
  public typealias Loader = Table<MerkleNodeID, SHA256Digest>.Loader

  private var levels: [DenseTable<SHA256Digest>] = []
  private let loader: Loader?

  public init(loader: Loader? = nil) { self.loader = loader }

  private static func table(_ level: UInt8, _ loader: Loader?) -> DenseTable<SHA256Digest> {
    guard let loader else { return DenseTable() }
    return DenseTable(loader: { index in loader(MerkleNodeID(level: level, index: index)) })
  }

  public subscript(id: MerkleNodeID) -> SHA256Digest? {
    get { Int(id.level) < levels.count ? levels[Int(id.level)][id.index] : loader?(id) }
    set {
      while levels.count <= Int(id.level) { levels.append(Self.table(UInt8(levels.count), loader)) }
      levels[Int(id.level)][id.index] = newValue
    }
  }

  /// The levels that have changes in memory, lowest first, with their tables.
  public var changedLevels: [(level: UInt8, table: DenseTable<SHA256Digest>)] {
    levels.enumerated().compactMap { $1.hasChanges ? (UInt8($0), $1) : nil }
  }

  /// Room for the nodes above `count` leaves: half as many on each level as on the one below.
  public mutating func reserveCapacity(_ count: Int) {
    var nodes = count / 2
    var level = 1
    while nodes > 0 {
      while levels.count <= level { levels.append(Self.table(UInt8(levels.count), loader)) }
      levels[level].reserveCapacity(nodes)
      level += 1
      nodes /= 2
    }
  }

  public mutating func markPersisted() {
    for index in levels.indices { levels[index].markPersisted() }
  }
}
