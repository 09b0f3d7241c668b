public import LoamCrypto

/// One entry as a trace shows it.
public struct TraceEvent: Hashable, Sendable {
  public var seq: UInt64
  public var entryID: SHA256Digest
  public var logged: Timestamp
  public var statement: Statement
  /// A later `correct` voided it.
  public var voided: Bool
}

/// The backward provenance of a lot: how it was made, from which inputs, down to the fields.
public struct LotTrace: Hashable, Sendable {
  public struct Input: Hashable, Sendable {
    public var quantity: Quantity
    public var trace: LotTrace
  }

  public var lot: String
  /// The harvest or transform that created the lot; nil when no entry did.
  public var origin: TraceEvent?
  /// For a transform: each input lot, with the quantity consumed.
  public var inputs: [Input] = []
  /// For a harvest: the field's practices, measurements and certifications relevant to it.
  public var field: FieldContext?
  /// Shipments and receipts of this lot.
  public var custody: [TraceEvent] = []
  /// The lot already appears higher up this path (only in a hand-forged ledger).
  public var cycle = false

  /// Every harvest at the leaves of the trace.
  public var harvests: [LotTrace] {
    if case .harvest = origin?.statement.body { return [self] }
    return inputs.flatMap(\.trace.harvests)
  }

  /// Number of entries the trace shows.
  public var entryCount: Int {
    (origin == nil ? 0 : 1) + custody.count + (field?.events.count ?? 0) + inputs.reduce(0) { $0 + $1.trace.entryCount }
  }
}

/// What a field's history says about one harvest.
public struct FieldContext: Hashable, Sendable {
  public var field: String
  public var registration: TraceEvent?
  /// Practices whose period ended within the three years up to the harvest.
  public var practices: [TraceEvent] = []
  /// Measurements sampled within the three years up to the harvest.
  public var measurements: [TraceEvent] = []
  /// Certifications of the field valid on the harvest date.
  public var certifications: [TraceEvent] = []

  public var events: [TraceEvent] { (registration.map { [$0] } ?? []) + practices + measurements + certifications }
}

/// The recall view of a lot: who holds it now, what is in transit, what was sold, and every lot
/// made from it.
public struct ForwardTrace: Hashable, Sendable {
  public struct Holding: Hashable, Sendable {
    public var participant: String
    public var quantity: Quantity
  }
  public struct Transit: Hashable, Sendable {
    public var shipment: TraceEvent
    public var to: String
    public var outstanding: Quantity
  }

  public var lot: String
  public var product: String?
  public var holders: [Holding] = []
  public var inTransit: [Transit] = []
  public var sales: [TraceEvent] = []
  /// Lots made from this one, each with its own forward trace.
  public var derived: [ForwardTrace] = []
  public var cycle = false

  /// Every consumer item sold downstream.
  public var items: [String] {
    sales.flatMap { event -> [String] in
      if case .sell(let sale) = event.statement.body { return sale.items }
      return []
    } + derived.flatMap(\.items)
  }

  /// Every lot downstream, this one included.
  public var lots: [String] { [lot] + derived.flatMap(\.lots) }
}

public enum TraceError: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownLot(String)
  case unknownItem(String)
  case unknownField(String)
  case unreadableEntry(UInt64)

  public var description: String {
    switch self {
    case .unknownLot(let id): "no lot \(id) in this ledger"
    case .unknownItem(let id): "no sale of a consumer item \(id) in this ledger"
    case .unknownField(let id): "no field \(id) in this ledger"
    case .unreadableEntry(let seq): "entry \(seq) could not be read back from the log"
    }
  }
}

/// Trace queries over a state with a trace index; `entry` reads an entry back from the log.
public struct Tracer {
  let state: LedgerState
  let index: TraceIndex
  let entry: (UInt64) -> Entry?
  /// Events already read back and parsed (a trace and its claim revisit fields and lots).
  private let cache = EventCache()

  final class EventCache {
    var events: [UInt64: TraceEvent] = [:]
  }
  /// How far back practices and measurements count for a harvest.
  public static let seasonWindowSeconds: Int64 = 3 * 366 * 86_400

  public init(state: LedgerState, entry: @escaping (UInt64) -> Entry?) {
    self.state = state
    index = state.trace ?? TraceIndex()
    self.entry = entry
  }

  func event(_ seq: UInt64) throws -> TraceEvent {
    if let cached = cache.events[seq] { return cached }
    guard let entry = entry(seq), let statement = try? Statement(payload: entry.envelope.payload) else {
      throw TraceError.unreadableEntry(seq)
    }
    let event = TraceEvent(
      seq: seq, entryID: entry.id, logged: entry.logged, statement: statement, voided: index.voided[seq] != nil)
    cache.events[seq] = event
    return event
  }

  /// The lot a consumer item was sold from, or the id itself when it names a lot.
  public func lot(forLotOrItem id: String) throws -> String {
    if index.lotCreation[id] != nil || state.lots[id] != nil { return id }
    if let sale = index.itemSales[id], case .sell(let sell) = try event(sale).statement.body { return sell.lot }
    throw TraceError.unknownItem(id)
  }

  // MARK: Backward

  public func backward(_ lot: String) throws -> LotTrace {
    guard index.lotCreation[lot] != nil || state.lots[lot] != nil else { throw TraceError.unknownLot(lot) }
    var path: Set<String> = []
    return try backward(lot, path: &path)
  }

  private func backward(_ lot: String, path: inout Set<String>) throws -> LotTrace {
    var trace = LotTrace(lot: lot)
    guard path.insert(lot).inserted else {
      trace.cycle = true
      return trace
    }
    defer { path.remove(lot) }
    trace.custody = try index.lotEvents[lot].map(event).filter {
      switch $0.statement.body {
      case .ship, .receive: true
      default: false
      }
    }
    guard let created = index.lotCreation[lot] else { return trace }
    let origin = try event(created)
    trace.origin = origin
    switch origin.statement.body {
    case .harvest(let harvest):
      trace.field = try fieldContext(harvest.field, at: origin.statement.time)
    case .transform(let transform):
      trace.inputs = try transform.inputs.map { input in
        LotTrace.Input(quantity: input.quantity, trace: try backward(input.lot, path: &path))
      }
    default: break
    }
    return trace
  }

  /// The events of a field that no correction voided and that can bear on a harvest at `harvest`
  /// for rules looking back to `earliest` (`FieldEventRef.bears`), in log order.
  public func events(ofField field: String, bearingOnHarvestAt harvest: Timestamp, since earliest: Timestamp) throws
    -> [TraceEvent]
  {
    try index.fieldEvents[field].filter { $0.bears(onHarvestAt: harvest, since: earliest) }.map { try event($0.seq) }
      .filter { !$0.voided }
  }

  func fieldContext(_ field: String, at harvest: Timestamp) throws -> FieldContext {
    var context = FieldContext(field: field)
    let earliest = harvest.adding(seconds: -Self.seasonWindowSeconds)
    // The registration, and what bears on the harvest; the kind and span in the index decide
    // exactly, so nothing else is read back.
    for event in try events(ofField: field, bearingOnHarvestAt: harvest, since: earliest) {
      switch event.statement.body {
      case .field: context.registration = event
      case .practice: context.practices.append(event)
      case .measurement: context.measurements.append(event)
      case .certify: context.certifications.append(event)
      default: break
      }
    }
    return context
  }

  // MARK: Forward

  public func forward(_ lot: String) throws -> ForwardTrace {
    guard index.lotCreation[lot] != nil || state.lots[lot] != nil else { throw TraceError.unknownLot(lot) }
    var path: Set<String> = []
    return try forward(lot, path: &path)
  }

  /// Every lot harvested from a field, traced forward.
  public func forward(field: String) throws -> [ForwardTrace] {
    let events = index.fieldEvents[field]
    guard !events.isEmpty else { throw TraceError.unknownField(field) }
    return try events.compactMap { ref -> ForwardTrace? in
      let event = try event(ref.seq)
      guard !event.voided, case .harvest(let harvest) = event.statement.body else { return nil }
      return try forward(harvest.lot)
    }
  }

  private func forward(_ lot: String, path: inout Set<String>) throws -> ForwardTrace {
    var trace = ForwardTrace(lot: lot)
    guard path.insert(lot).inserted else {
      trace.cycle = true
      return trace
    }
    defer { path.remove(lot) }
    let record = state.lots[lot]
    trace.product = record?.product
    if let record {
      trace.holders = record.holdings.sorted { $0.key < $1.key }.map {
        ForwardTrace.Holding(participant: $0.key, quantity: Quantity($0.value, record.unit))
      }
    }
    for seq in index.lotEvents[lot] {
      let event = try event(seq)
      guard !event.voided else { continue }
      switch event.statement.body {
      case .ship(let shipment):
        if let shipped = state.shipments[event.entryID], let outstanding = shipped.quantity.subtracting(shipped.received),
          outstanding.isPositive
        {
          trace.inTransit.append(
            ForwardTrace.Transit(
              shipment: event, to: shipment.to, outstanding: Quantity(outstanding, record?.unit ?? shipment.quantity.unit)))
        }
      case .sell: trace.sales.append(event)
      case .transform(let transform) where transform.inputs.contains(where: { $0.lot == lot }):
        for output in transform.outputs { trace.derived.append(try forward(output.lot, path: &path)) }
      default: break
      }
    }
    return trace
  }
}
