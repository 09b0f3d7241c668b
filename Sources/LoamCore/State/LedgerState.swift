public import LoamCrypto

/// Everything the log implies at one point: participants and their keys, fields, lots and who
/// holds how much of each, shipments in transit, refs, corrections. Built by applying entries in
/// order (`apply`), so it is derived from the log and never trusted over it.
public struct LedgerState: Sendable {
  public struct Participant: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var roles: Set<Role>
    public var keyIDs: [String]
    public var enrolledSeq: UInt64
    /// The `keys` entries that changed this participant's keys, in log order.
    public var keyChanges: [UInt64] = []
  }

  public struct Key: Hashable, Sendable, Codable {
    public var publicKey: PublicKey
    public var owner: String
    public var addedSeq: UInt64
    /// Signs nothing logged at or after this time.
    public var revokedFrom: Timestamp?

    public func isValid(at logged: Timestamp) -> Bool { revokedFrom.map { logged < $0 } ?? true }
  }

  public struct Field: Hashable, Sendable, Codable {
    public var id: String
    public var owner: String
    public var seq: UInt64
  }

  public struct Lot: Hashable, Sendable, Codable {
    public var id: String
    public var product: String
    /// The unit every holding of the lot is kept in (that of its creating statement).
    public var unit: String
    public var created: Timestamp
    public var createdSeq: UInt64
    /// Quantity held per participant (positive entries only).
    public var holdings: [String: ExactDecimal]

    /// The lots an accepted harvest or transform creates, held by its actor in the quantities it
    /// states: the one place a lot's record comes from its creating statement (the state rules, and a
    /// compact state rebuilding a lot it dropped).
    static func made(by statement: Statement, seq: UInt64) -> [Lot] {
      func lot(_ id: String, _ product: String, _ quantity: Quantity) -> Lot {
        Lot(
          id: id, product: product, unit: quantity.unit, created: statement.time, createdSeq: seq,
          holdings: [statement.actor: quantity.value])
      }
      switch statement.body {
      case .harvest(let harvest): return [lot(harvest.lot, harvest.product, harvest.quantity)]
      case .transform(let transform): return transform.outputs.map { lot($0.lot, $0.product, $0.quantity) }
      default: return []
      }
    }
  }

  public struct ShipmentRecord: Hashable, Sendable, Codable {
    public var lot: String
    public var from: String
    public var to: String
    /// In the lot's unit.
    public var quantity: ExactDecimal
    public var received: ExactDecimal
    public var time: Timestamp
    public var seq: UInt64
  }

  /// What an entry changed, so a correction can undo it.
  public struct Effect: Hashable, Sendable, Codable {
    public var deltas: [HoldingDelta] = []
    public var createdShipment = false
    public var receipt: ReceiptEffect? = nil
  }

  public struct ReceiptEffect: Hashable, Sendable, Codable {
    public var shipment: SHA256Digest
    public var quantity: ExactDecimal
  }

  public struct HoldingDelta: Hashable, Sendable, Codable {
    public var lot: String
    public var participant: String
    public var delta: ExactDecimal
  }

  public struct EntryRecord: Hashable, Sendable, Codable {
    public var seq: UInt64
    public var kind: StatementKind
    public var actor: String
    public var voided: Bool
    public var effect: Effect?

    public init(seq: UInt64, kind: StatementKind, actor: String, voided: Bool, effect: Effect?) {
      self.seq = seq
      self.kind = kind
      self.actor = actor
      self.voided = voided
      self.effect = effect
    }
  }

  public struct RefRecord: Hashable, Sendable, Codable {
    public var seq: UInt64
    public var entryID: SHA256Digest
    public var payloadHash: SHA256Digest
    public init(seq: UInt64, entryID: SHA256Digest, payloadHash: SHA256Digest) {
      self.seq = seq
      self.entryID = entryID
      self.payloadHash = payloadHash
    }
  }

  // The log position.
  public internal(set) var size: UInt64 = 0
  public internal(set) var head: SHA256Digest = .zero
  public internal(set) var lastLogged: Timestamp? = nil
  public internal(set) var tree = CompactRange()

  // From the genesis.
  public internal(set) var origin: String? = nil
  public internal(set) var logKey: NoteVerifier? = nil

  public internal(set) var participants = Table<String, Participant>()
  public internal(set) var keys = Table<String, Key>()
  public internal(set) var fields = Table<String, Field>()
  public internal(set) var lots = LotTable()
  public internal(set) var shipments = ShipmentTable()
  public internal(set) var entries = EntryTable()
  public internal(set) var refs = Table<String, RefRecord>()
  public internal(set) var policies = Table<String, UInt64>()

  /// The trace index, when this state keeps one (a ledger directory does; verification not).
  public var trace: TraceIndex? = nil

  public init() {}

  /// A state that keeps accepted entries compactly and reads a corrected entry's statement back
  /// with `reader` (a verifier of a long log: see `EntryTable`).
  public init(readingStatements reader: @escaping EntryTable.StatementReader) {
    entries = EntryTable(compactReading: reader)
    lots = LotTable(compactReading: reader)
    shipments = ShipmentTable(compactReading: reader)
  }

  /// A state whose tables read missing rows from `backing` and whose position is `position`.
  public init(position: Position, backing: Backing) {
    size = position.size
    head = position.head
    lastLogged = position.lastLogged
    tree = position.tree
    origin = position.origin
    logKey = position.logKey
    participants = Table(loader: backing.participant)
    keys = Table(loader: backing.key)
    fields = Table(loader: backing.field)
    lots = LotTable(rows: Table(loader: backing.lot))
    shipments = ShipmentTable(rows: Table(loader: backing.shipment))
    entries = EntryTable(rows: Table(loader: backing.entry), reader: backing.statement)
    refs = Table(loader: backing.ref)
    policies = Table(loader: backing.policy)
  }

  /// Where the state stands in the log, and what the genesis fixed.
  public struct Position: Hashable, Sendable, Codable {
    public var size: UInt64
    public var head: SHA256Digest
    public var lastLogged: Timestamp?
    public var tree: CompactRange
    public var origin: String?
    public var logKey: NoteVerifier?

    public init(
      size: UInt64, head: SHA256Digest, lastLogged: Timestamp?, tree: CompactRange, origin: String?, logKey: NoteVerifier?
    ) {
      self.size = size
      self.head = head
      self.lastLogged = lastLogged
      self.tree = tree
      self.origin = origin
      self.logKey = logKey
    }
  }

  public var position: Position {
    Position(size: size, head: head, lastLogged: lastLogged, tree: tree, origin: origin, logKey: logKey)
  }

  /// Row loaders of a persisted state.
  public struct Backing: Sendable {
    public var participant: Table<String, Participant>.Loader
    public var key: Table<String, Key>.Loader
    public var field: Table<String, Field>.Loader
    public var lot: Table<String, Lot>.Loader
    public var shipment: Table<SHA256Digest, ShipmentRecord>.Loader
    public var entry: Table<SHA256Digest, EntryRecord>.Loader
    public var ref: Table<String, RefRecord>.Loader
    public var policy: Table<String, UInt64>.Loader
    /// Reads an entry's statement back from the log: persisted entry records hold no effect, so a
    /// correction recomputes what the entry changed from its statement.
    public var statement: EntryTable.StatementReader

    public init(
      participant: @escaping Table<String, Participant>.Loader, key: @escaping Table<String, Key>.Loader,
      field: @escaping Table<String, Field>.Loader, lot: @escaping Table<String, Lot>.Loader,
      shipment: @escaping Table<SHA256Digest, ShipmentRecord>.Loader, entry: @escaping Table<SHA256Digest, EntryRecord>.Loader,
      ref: @escaping Table<String, RefRecord>.Loader, policy: @escaping Table<String, UInt64>.Loader,
      statement: @escaping EntryTable.StatementReader
    ) {
      self.participant = participant
      self.key = key
      self.field = field
      self.lot = lot
      self.shipment = shipment
      self.entry = entry
      self.ref = ref
      self.policy = policy
      self.statement = statement
    }
  }

  /// Room for the per-entry rows of about `entries` more entries (a replay of a whole log).
  public mutating func reserveCapacity(entries count: Int) {
    entries.reserveCapacity(count)
    trace?.reserveCapacity(entries: count)
  }

  /// Forgets in-memory changes once they were written to the backing store.
  public mutating func markPersisted() {
    participants.markPersisted()
    keys.markPersisted()
    fields.markPersisted()
    lots.markPersisted()
    shipments.markPersisted()
    entries.markPersisted()
    refs.markPersisted()
    policies.markPersisted()
    trace?.markPersisted()
  }

  /// How far a statement's `time` may lie after its `logged` time (clock skew).
  public static let allowedClockSkewSeconds: Int64 = 300

  /// The shipment of ship entry `id`, rebuilt from the log when a compact state dropped it.
  public func shipment(_ id: SHA256Digest) -> ShipmentRecord? {
    shipments.record(id, seqOf: { entries[$0]?.seq }, unitOf: { lots[$0]?.unit })
  }

  /// Whether a participant holds (or held) key `keyID`. Here, in LoamCore, the table lookup is
  /// specialized; from another module it is generic, with a metadata lookup on every call.
  public func knowsKey(_ keyID: String) -> Bool { keys[keyID] != nil }

  public func holding(of lot: String, by participant: String) -> ExactDecimal {
    lots[lot]?.holdings[participant] ?? .zero
  }

  /// The key ids every signer of the log has had, for a verifier that checks signatures ahead.
  public var knownKeys: [String: PublicKey] {
    Dictionary(keys.values.map { ($0.publicKey.keyID, $0.publicKey) }, uniquingKeysWith: { a, _ in a })
  }
}
