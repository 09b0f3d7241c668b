public import LoamCrypto

/// Everything the log implies at one point: participants and their keys, fields, lots and who
/// holds how much of each, shipments in transit, refs, corrections. Built by applying entries in
/// order (`apply`), so it is derived from the log and never trusted over it.
public struct LedgerState: Sendable {
  public struct Participant: Hashable, Sendable {
    public var id: String
    public var name: String
    public var roles: Set<Role>
    public var keyIDs: [String]
    public var enrolledSeq: UInt64
  }

  public struct Key: Hashable, Sendable {
    public var publicKey: PublicKey
    public var owner: String
    public var addedSeq: UInt64
    /// Signs nothing logged at or after this time.
    public var revokedFrom: Timestamp?

    public func isValid(at logged: Timestamp) -> Bool { revokedFrom.map { logged < $0 } ?? true }
  }

  public struct Field: Hashable, Sendable {
    public var id: String
    public var owner: String
    public var seq: UInt64
  }

  public struct Lot: Hashable, Sendable {
    public var id: String
    public var product: String
    /// The unit every holding of the lot is kept in (that of its creating statement).
    public var unit: String
    public var created: Timestamp
    public var createdSeq: UInt64
    /// Quantity held per participant (positive entries only).
    public var holdings: [String: ExactDecimal]
  }

  public struct ShipmentRecord: Hashable, Sendable {
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
  public struct Effect: Hashable, Sendable {
    public var deltas: [HoldingDelta] = []
    public var createdShipment = false
    public var receipt: (shipment: SHA256Digest, quantity: ExactDecimal)? = nil

    public static func == (lhs: Effect, rhs: Effect) -> Bool {
      lhs.deltas == rhs.deltas && lhs.createdShipment == rhs.createdShipment
        && lhs.receipt?.shipment == rhs.receipt?.shipment && lhs.receipt?.quantity == rhs.receipt?.quantity
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(deltas) }
  }

  public struct HoldingDelta: Hashable, Sendable {
    public var lot: String
    public var participant: String
    public var delta: ExactDecimal
  }

  public struct EntryRecord: Hashable, Sendable {
    public var seq: UInt64
    public var kind: StatementKind
    public var actor: String
    public var voided: Bool
    public var effect: Effect?
  }

  public struct RefRecord: Hashable, Sendable {
    public var seq: UInt64
    public var entryID: SHA256Digest
    public var payloadHash: SHA256Digest
  }

  // The log position.
  public internal(set) var size: UInt64 = 0
  public internal(set) var head: SHA256Digest = .zero
  public internal(set) var lastLogged: Timestamp? = nil
  public internal(set) var tree = CompactRange()

  // From the genesis.
  public internal(set) var origin: String? = nil
  public internal(set) var logKey: NoteVerifier? = nil

  public internal(set) var participants: [String: Participant] = [:]
  public internal(set) var keys: [String: Key] = [:]
  public internal(set) var fields: [String: Field] = [:]
  public internal(set) var lots: [String: Lot] = [:]
  public internal(set) var shipments: [SHA256Digest: ShipmentRecord] = [:]
  public internal(set) var entries: [SHA256Digest: EntryRecord] = [:]
  public internal(set) var refs: [String: RefRecord] = [:]
  public internal(set) var policies: [String: UInt64] = [:]

  public init() {}

  /// How far a statement's `time` may lie after its `logged` time (clock skew).
  public static let allowedClockSkewSeconds: Int64 = 300

  public func holding(of lot: String, by participant: String) -> ExactDecimal {
    lots[lot]?.holdings[participant] ?? .zero
  }

  /// The key ids every signer of the log has had, for a verifier that checks signatures ahead.
  public var knownKeys: [String: PublicKey] { keys.mapValues(\.publicKey) }
}
