public import LoamCrypto

/// Seqs by a 64-bit hash of a row's key: where a dropped row can be rebuilt from (its creating
/// entry). Hashes may collide, so each hash keeps every seq and a lookup rebuilds each one and
/// keeps the row whose key matches: exact, never a guess. About 16 bytes a row.
struct RetiredIndex: Sendable {
  private var first: [UInt64: UInt64] = [:]
  private var more: [UInt64: [UInt64]] = [:]
  private(set) var count = 0

  func seqs(_ hash: UInt64) -> [UInt64] {
    guard let seq = first[hash] else { return [] }
    return [seq] + (more[hash] ?? [])
  }

  mutating func insert(_ hash: UInt64, _ seq: UInt64) {
    guard let existing = first[hash] else {
      first[hash] = seq
      count += 1
      return
    }
    guard existing != seq, more[hash]?.contains(seq) != true else { return }
    more[hash, default: []].append(seq)
    count += 1
  }

  mutating func remove(_ hash: UInt64, _ seq: UInt64) {
    if first[hash] == seq {
      if var others = more[hash], !others.isEmpty {
        first[hash] = others.removeFirst()
        more[hash] = others.isEmpty ? nil : others
      } else {
        first[hash] = nil
      }
      count -= 1
    } else if var others = more[hash], let index = others.firstIndex(of: seq) {
      others.remove(at: index)
      more[hash] = others.isEmpty ? nil : others
      count -= 1
    }
  }
}

/// The lots by id. A ledger directory keeps every record (`rows`, read from the persisted state on
/// a miss). A verifier of a whole log (compact mode) drops a used-up lot — one nobody holds any of
/// — to its creating seq, and rebuilds it from that statement, read back from the log, when an
/// entry touches it again: at a million entries half the lots are used up, and their records were
/// a sixth of `loam verify`'s memory. A used-up lot is exactly what its creating statement says
/// (id, product, unit, time, seq) with no holdings, since only holdings ever change.
public struct LotTable: Sendable {
  public private(set) var rows: Table<String, LedgerState.Lot>
  private var retired: RetiredIndex?
  /// Compact mode's lots still held by someone, densely.
  private var live = CompactLots()
  private let reader: EntryTable.StatementReader?

  public init(rows: Table<String, LedgerState.Lot> = Table()) {
    self.rows = rows
    retired = nil
    reader = nil
  }

  /// Compact mode: used-up lots are rebuilt from the statement `reader` returns.
  public init(compactReading reader: @escaping EntryTable.StatementReader) {
    rows = Table()
    retired = RetiredIndex()
    self.reader = reader
  }

  private static func hash(_ id: String) -> UInt64 { UInt64(bitPattern: Int64(id.hashValue)) }

  public subscript(id: String) -> LedgerState.Lot? {
    get {
      guard let retired, let reader else { return rows[id] }
      if let lot = live[id] { return lot }
      for seq in retired.seqs(Self.hash(id)) {
        if let statement = reader(seq)?.statement, let lot = Self.rebuilt(id, from: statement, seq: seq) { return lot }
      }
      return nil
    }
    set {
      guard retired != nil else {
        // A used-up lot lets go of its holdings' storage (emptying a dictionary keeps it).
        if var lot = newValue, lot.holdings.isEmpty {
          lot.holdings = [:]
          rows[id] = lot
        } else {
          rows[id] = newValue
        }
        return
      }
      let hash = Self.hash(id)
      if let lot = newValue, lot.holdings.isEmpty {
        live[id] = nil
        retired!.insert(hash, lot.createdSeq)
        return
      }
      if let lot = newValue {
        retired!.remove(hash, lot.createdSeq)
      } else if let reader {
        for seq in retired!.seqs(hash) where reader(seq).flatMap({ Self.rebuilt(id, from: $0.statement, seq: seq) }) != nil {
          retired!.remove(hash, seq)
        }
      }
      live[id] = newValue
    }
  }

  /// The used-up lot `id` as its creating statement made it; nil when that statement made no such lot.
  static func rebuilt(_ id: String, from statement: Statement, seq: UInt64) -> LedgerState.Lot? {
    guard var lot = LedgerState.Lot.made(by: statement, seq: seq).first(where: { $0.id == id }) else { return nil }
    lot.holdings = [:]
    return lot
  }

  /// Every lot, the used-up ones of compact mode included.
  public var count: Int { rows.count + live.count + (retired?.count ?? 0) }
  /// Lots set or removed in memory (all of them, for an in-memory table; none in compact mode, which
  /// is never saved).
  public var changes: [String: LedgerState.Lot?] { rows.changes }
  public mutating func markPersisted() { rows.markPersisted() }
}

/// Lots in a dense array, with an index by id: the one holder most lots have is kept inline
/// rather than in a dictionary of its own. About 300 bytes a lot instead of 500 (a dictionary
/// bucket of a whole `Lot` at a dictionary's load, and a dictionary per lot for its holdings).
struct CompactLots: Sendable {
  struct Record: Sendable {
    // Widest first, so the record packs tightly.
    var amount: ExactDecimal
    var id: String
    var product: String
    var unit: String
    var created: Timestamp
    var createdSeq: UInt64
    /// The holder when there is exactly one; otherwise `more` holds them all.
    var holder: String
    var more: [String: ExactDecimal]?

    init(_ lot: LedgerState.Lot) {
      id = lot.id
      product = lot.product
      unit = lot.unit
      created = lot.created
      createdSeq = lot.createdSeq
      if lot.holdings.count == 1, let (holder, amount) = lot.holdings.first {
        self.holder = holder
        self.amount = amount
        more = nil
      } else {
        holder = ""
        amount = .zero
        more = lot.holdings
      }
    }

    var lot: LedgerState.Lot {
      LedgerState.Lot(
        id: id, product: product, unit: unit, created: created, createdSeq: createdSeq,
        holdings: more ?? [holder: amount])
    }
  }

  private var index: [String: Int32] = [:]
  private var records: [Record] = []
  private var free: [Int32] = []

  var count: Int { index.count }

  subscript(id: String) -> LedgerState.Lot? {
    get { index[id].map { records[Int($0)].lot } }
    set {
      switch (index[id], newValue) {
      case (let position?, let lot?): records[Int(position)] = Record(lot)
      case (let position?, nil):
        index[id] = nil
        records[Int(position)] = Record(
          LedgerState.Lot(id: "", product: "", unit: "", created: .init(seconds: 0), createdSeq: 0, holdings: [:]))
        free.append(position)
      case (nil, let lot?):
        if let position = free.popLast() {
          records[Int(position)] = Record(lot)
          index[id] = position
        } else {
          index[id] = Int32(records.count)
          records.append(Record(lot))
        }
      case (nil, nil): break
      }
    }
  }
}

/// The shipments by the id of their ship entry, kept like `LotTable`: compact mode drops a
/// shipment once wholly received to its ship entry's seq (found exactly from the id by the entry
/// table), and rebuilds it from the ship statement. A record keeps the quantity in its lot's unit,
/// so the state rules read through `record(_:seqOf:unitOf:)`; the subscript sees the kept rows only.
public struct ShipmentTable: Sendable {
  public private(set) var rows: Table<SHA256Digest, LedgerState.ShipmentRecord>
  private var retired: Set<UInt64>?
  private let reader: EntryTable.StatementReader?

  public init(rows: Table<SHA256Digest, LedgerState.ShipmentRecord> = Table()) {
    self.rows = rows
    retired = nil
    reader = nil
  }

  /// Compact mode: wholly received shipments are rebuilt from the statement `reader` returns.
  public init(compactReading reader: @escaping EntryTable.StatementReader) {
    rows = Table()
    retired = []
    self.reader = reader
  }

  /// The shipments kept in memory: every one outside compact mode.
  public subscript(id: SHA256Digest) -> LedgerState.ShipmentRecord? { rows[id] }

  /// The shipment, rebuilt from its ship statement when compact mode dropped it; `seqOf` gives an
  /// entry's seq by id, `unitOf` a lot's unit.
  func record(_ id: SHA256Digest, seqOf: (SHA256Digest) -> UInt64?, unitOf: (String) -> String?)
    -> LedgerState.ShipmentRecord?
  {
    if let row = rows[id] { return row }
    guard let retired, let reader, let seq = seqOf(id), retired.contains(seq), let statement = reader(seq)?.statement,
      case .ship(let shipment) = statement.body, let unit = unitOf(shipment.lot),
      let quantity = shipment.quantity.converted(to: unit)
    else { return nil }
    return LedgerState.ShipmentRecord(
      lot: shipment.lot, from: statement.actor, to: shipment.to, quantity: quantity, received: quantity,
      time: statement.time, seq: seq)
  }

  /// Sets the shipment of ship entry `seq` (nil: it is gone, its ship entry corrected).
  mutating func set(_ id: SHA256Digest, _ record: LedgerState.ShipmentRecord?, seq: UInt64) {
    guard retired != nil else {
      rows[id] = record
      return
    }
    if let record, record.received == record.quantity {
      rows[id] = nil
      retired!.insert(seq)
      return
    }
    retired!.remove(seq)
    rows[id] = record
  }

  /// Every shipment, the dropped ones of compact mode included.
  public var count: Int { rows.count + (retired?.count ?? 0) }
  public var isEmpty: Bool { count == 0 }
  public var values: [LedgerState.ShipmentRecord] { rows.values }
  public var keys: [SHA256Digest] { rows.keys }
  /// Shipments set or removed in memory (all of them, for an in-memory table).
  public var changes: [SHA256Digest: LedgerState.ShipmentRecord?] { rows.changes }
  public mutating func markPersisted() { rows.markPersisted() }
}
