public import LoamCrypto

/// Where an entry's line is in the log file.
public struct EntryLocation: Hashable, Sendable, Codable {
  public var offset: Int
  public var length: Int
  public init(offset: Int, length: Int) {
    self.offset = offset
    self.length = length
  }
}

/// An entry about a field, with its kind and the span of time it concerns (a practice's period, a
/// sample's date, a certification's validity), so a trace reads back only what matters for a harvest.
public struct FieldEventRef: Hashable, Sendable, Codable {
  public var seq: UInt64
  public var kind: StatementKind
  public var from: Timestamp
  public var until: Timestamp

  public init(seq: UInt64, kind: StatementKind, from: Timestamp, until: Timestamp) {
    self.seq = seq
    self.kind = kind
    self.from = from
    self.until = until
  }

  /// Whether the entry can bear on a harvest at `harvest` for rules looking back to `earliest`:
  /// the field's registration; a practice whose period ended, or a measurement sampled, in
  /// [earliest, harvest]; a certification valid on the harvest date. Harvests and anything else never.
  public func bears(onHarvestAt harvest: Timestamp, since earliest: Timestamp) -> Bool {
    switch kind {
    case .field: true
    case .practice: until >= earliest && until <= harvest
    case .measurement: from >= earliest && from <= harvest
    case .certify: from <= harvest && harvest <= until
    default: false
    }
  }
}

/// The trace index: which entries concern each lot, field and consumer item, derived from the
/// log as entries are applied (never trusted over it). Kept beside the state by the ledger
/// directory; verification does without it.
public struct TraceIndex: Sendable {
  /// lot → the harvest or transform that created it.
  public internal(set) var lotCreation = Table<String, UInt64>()
  /// lot → the entries that moved, consumed, observed or certified it, in log order.
  public internal(set) var lotEvents = MultiTable<String, UInt64>()
  /// field → its registration, practices, measurements, certifications and harvests.
  public internal(set) var fieldEvents = MultiTable<String, FieldEventRef>()
  /// consumer item (serial or Digital Link URI) → the sale.
  public internal(set) var itemSales = Table<String, UInt64>()
  /// entries whose effect a `correct` voided → the correcting entry.
  public internal(set) var voided = Table<UInt64, UInt64>()
  /// seq → where its line is.
  public internal(set) var locations = DenseTable<EntryLocation>()
  /// The roots of the tree's perfect subtrees above the leaves, for proofs in O(log n) reads.
  public internal(set) var nodes = NodeTable()

  public init() {}

  /// Row loaders of a persisted index.
  public struct Backing: Sendable {
    public var lotCreation: Table<String, UInt64>.Loader
    public var lotEvents: MultiTable<String, UInt64>.Loader
    public var fieldEvents: MultiTable<String, FieldEventRef>.Loader
    public var itemSales: Table<String, UInt64>.Loader
    public var voided: Table<UInt64, UInt64>.Loader
    public var locations: Table<UInt64, EntryLocation>.Loader
    public var nodes: Table<MerkleNodeID, SHA256Digest>.Loader

    public init(
      lotCreation: @escaping Table<String, UInt64>.Loader, lotEvents: @escaping MultiTable<String, UInt64>.Loader,
      fieldEvents: @escaping MultiTable<String, FieldEventRef>.Loader, itemSales: @escaping Table<String, UInt64>.Loader,
      voided: @escaping Table<UInt64, UInt64>.Loader, locations: @escaping Table<UInt64, EntryLocation>.Loader,
      nodes: @escaping Table<MerkleNodeID, SHA256Digest>.Loader
    ) {
      self.nodes = nodes
      self.lotCreation = lotCreation
      self.lotEvents = lotEvents
      self.fieldEvents = fieldEvents
      self.itemSales = itemSales
      self.voided = voided
      self.locations = locations
    }
  }

  public init(backing: Backing) {
    lotCreation = Table(loader: backing.lotCreation)
    lotEvents = MultiTable(loader: backing.lotEvents)
    fieldEvents = MultiTable(loader: backing.fieldEvents)
    itemSales = Table(loader: backing.itemSales)
    voided = Table(loader: backing.voided)
    locations = DenseTable(loader: backing.locations)
    nodes = NodeTable(loader: backing.nodes)
  }

  public mutating func markPersisted() {
    lotCreation.markPersisted()
    lotEvents.markPersisted()
    fieldEvents.markPersisted()
    itemSales.markPersisted()
    voided.markPersisted()
    locations.markPersisted()
    nodes.markPersisted()
  }

  /// Room for the per-entry rows of `entries` entries (a line's place, about one tree node each).
  public mutating func reserveCapacity(entries: Int) {
    locations.reserveCapacity(entries)
    nodes.reserveCapacity(entries)
  }

  public mutating func locate(_ seq: UInt64, _ location: EntryLocation) { locations[seq] = location }

  private mutating func add(lot: String, _ seq: UInt64) { lotEvents.append(seq, to: lot) }
  private mutating func add(field: String, _ seq: UInt64, _ kind: StatementKind, from: Timestamp, until: Timestamp) {
    fieldEvents.append(FieldEventRef(seq: seq, kind: kind, from: from, until: until), to: field)
  }

  /// Records an accepted statement (called by `LedgerState.apply` after the rules passed).
  mutating func record(_ statement: Statement, seq: UInt64, receivedLot: String?, correctedSeq: UInt64?) {
    switch statement.body {
    case .field(let spec): add(field: spec.id, seq, .field, from: statement.time, until: statement.time)
    case .practice(let record): add(field: record.field, seq, .practice, from: record.start, until: record.end)
    case .measurement(let record): add(field: record.field, seq, .measurement, from: record.sampled, until: record.sampled)
    case .certify(let certification):
      switch certification.subject {
      case .field(let id): add(field: id, seq, .certify, from: certification.validFrom, until: certification.validUntil)
      case .lot(let id): add(lot: id, seq)
      case .participant: break
      }
    case .harvest(let harvest):
      add(field: harvest.field, seq, .harvest, from: statement.time, until: statement.time)
      lotCreation[harvest.lot] = seq
    case .transform(let transform):
      for input in transform.inputs { add(lot: input.lot, seq) }
      for output in transform.outputs { lotCreation[output.lot] = seq }
    case .ship(let shipment): add(lot: shipment.lot, seq)
    case .receive:
      if let lot = receivedLot { add(lot: lot, seq) }
    case .observe(let observation): add(lot: observation.lot, seq)
    case .sell(let sale):
      add(lot: sale.lot, seq)
      for item in sale.items { itemSales[item] = seq }
    case .correct:
      if let correctedSeq { voided[correctedSeq] = seq }
    case .genesis, .enroll, .keys, .policy: break
    }
  }
}
