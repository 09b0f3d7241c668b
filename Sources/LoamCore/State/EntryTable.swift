public import LoamCrypto

/// The accepted entries by id, for corrections: each one's seq, kind and actor, whether a
/// correction voided it, and what it changed (its effect, which a correction undoes).
///
/// A ledger directory keeps them as full records (`rows`, read from the persisted state on a
/// miss; the persisted rows leave the effect out, and `reader` recomputes it from the statement
/// when a correction needs it: it was three quarters of each row). A verifier of a whole log keeps
/// only the compact part — 8 bytes of the id and a few more — and reads an entry's statement
/// back by seq when a correction needs its effect (`reader`): at a million entries the full
/// records were most of `loam verify`'s memory.
public struct EntryTable: Sendable {
  /// An entry read back from the log: its id and statement.
  public struct ReadBack: Sendable {
    public var id: SHA256Digest
    public var statement: Statement
    public init(id: SHA256Digest, statement: Statement) {
      self.id = id
      self.statement = statement
    }
  }
  /// Reads entry `seq` back from the log.
  public typealias StatementReader = @Sendable (UInt64) -> ReadBack?

  public private(set) var rows: Table<SHA256Digest, LedgerState.EntryRecord>
  private var compact: CompactEntries?
  /// Where effects missing from a record come from (always set in compact mode).
  public let reader: StatementReader?

  /// Full records; those loaded from `rows`' backing store may lack their effect, which `reader`
  /// then recomputes from the statement.
  public init(rows: Table<SHA256Digest, LedgerState.EntryRecord> = Table(), reader: StatementReader? = nil) {
    self.rows = rows
    compact = nil
    self.reader = reader
  }

  /// Compact mode: records without effects, which `reader` recomputes from the statement.
  public init(compactReading reader: @escaping StatementReader) {
    rows = Table()
    compact = CompactEntries(reader: reader)
    self.reader = reader
  }

  /// The record of an accepted entry. In compact mode `effect` is always nil (read it back with
  /// `reader`).
  public subscript(id: SHA256Digest) -> LedgerState.EntryRecord? {
    get { compact.map { $0.record(id) } ?? rows[id] }
    set {
      if compact != nil {
        compact!.set(id, newValue)
      } else {
        rows[id] = newValue
      }
    }
  }

  /// Records set in memory (all of them, for an in-memory table; none in compact mode).
  public var changes: [SHA256Digest: LedgerState.EntryRecord?] { rows.changes }

  public mutating func markPersisted() { rows.markPersisted() }

  public mutating func reserveCapacity(_ count: Int) { if compact == nil { rows.reserveCapacity(count) } }
}

/// Ids in an open-addressing hash table of positions, and per position the id's first 8 bytes, the
/// seq and one word for actor (interned), kind and voided: about 28 bytes an entry instead of
/// several hundred. A hit is confirmed by reading the entry back and comparing its whole id, so
/// ids that share their first 8 bytes stay apart and a lookup is exact; adding a new id reads
/// nothing unless its first 8 bytes match an earlier entry's (about one in 10^13 at a million).
struct CompactEntries: Sendable {
  private let reader: EntryTable.StatementReader
  private var prefixes: [UInt64] = []
  private var seqs: [UInt64] = []
  /// actor index << 8 | kind index << 1 | voided.
  private var words: [UInt32] = []
  /// 0 = empty, else position + 1.
  private var slots = [UInt32](repeating: 0, count: 1024)

  init(reader: @escaping EntryTable.StatementReader) { self.reader = reader }

  private var actorNames: [String] = []
  private var actorIndex: [String: UInt32] = [:]

  private static let kinds = StatementKind.allCases
  private static let removed: UInt32 = 0x3F << 1

  private func find(_ id: SHA256Digest) -> Int? {
    let mask = slots.count - 1
    let prefix = id.prefix64
    var slot = Int(truncatingIfNeeded: prefix) & mask
    while slots[slot] != 0 {
      let position = Int(slots[slot] - 1)
      if prefixes[position] == prefix, reader(seqs[position])?.id == id { return position }
      slot = (slot + 1) & mask
    }
    return nil
  }

  func record(_ id: SHA256Digest) -> LedgerState.EntryRecord? {
    guard let position = find(id) else { return nil }
    let word = words[position]
    let kindIndex = Int(word >> 1 & 0x7F)
    guard kindIndex < Self.kinds.count else { return nil }
    return LedgerState.EntryRecord(
      seq: seqs[position], kind: Self.kinds[kindIndex], actor: actorNames[Int(word >> 8)], voided: word & 1 == 1, effect: nil)
  }

  mutating func set(_ id: SHA256Digest, _ record: LedgerState.EntryRecord?) {
    guard let record else {
      if let position = find(id) { words[position] = words[position] & ~0xFF | Self.removed }
      return
    }
    let actor: UInt32
    if let known = actorIndex[record.actor] {
      actor = known
    } else {
      actor = UInt32(actorNames.count)
      actorNames.append(record.actor)
      actorIndex[record.actor] = actor
    }
    let kind = UInt32(Self.kinds.firstIndex(of: record.kind)!)
    let word = actor << 8 | kind << 1 | (record.voided ? 1 : 0)
    if let position = find(id) {
      seqs[position] = record.seq
      words[position] = word
      return
    }
    prefixes.append(id.prefix64)
    seqs.append(record.seq)
    words.append(word)
    if prefixes.count * 2 > slots.count {
      slots = [UInt32](repeating: 0, count: slots.count * 2)
      for position in prefixes.indices { insert(position) }
    } else {
      insert(prefixes.count - 1)
    }
  }

  private mutating func insert(_ position: Int) {
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: prefixes[position]) & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    slots[slot] = UInt32(position + 1)
  }
}
