internal import CSQLite
import FoundationEssentials
import Glibc
import LoamCore
import LoamCrypto

/// The persisted derived state of a ledger directory (`state.sqlite`): every table of
/// `LedgerState` as rows, and the log position they were derived at (entry count, head id and
/// byte length of the log). Rebuildable from the log at any time and never trusted over it: the
/// position is checked against the log on every open, and a lagging state is caught up from
/// the log.
///
/// WAL journal with `synchronous=NORMAL`: a crash may lose the last transactions (the state then
/// lags the log and is caught up) but never leaves the database inconsistent.
final class StateStore: @unchecked Sendable {
  // @unchecked: SQLite's default (serialized) threading mode makes a connection safe to share;
  // the store is used by one writer under the ledger lock.
  private let db: OpaquePointer
  let path: String

  enum TableID: Int32, CaseIterable {
    case participants = 1, keys, fields, lots, shipments, entries, refs, policies
    case lotCreation, lotEvents, fieldEvents, itemSales, voided, locations, nodes
  }

  static func nodeKey(_ id: MerkleNodeID) -> [UInt8] { [id.level] + seqKey(id.index) }

  /// Rows that every entry adds, dense by seq (a line's place, a perfect subtree's root), are packed
  /// `packed` to a row: a rebuild then writes a few hundred rows for them per 100,000 entries instead
  /// of 200,000, and an append rewrites one small row. Slot `i` of block `b` is seq (or node index)
  /// `b × packed + i`; an all-zero slot is empty.
  static let packed = 256
  static let locationSlot = 12
  static let nodeSlot = 32

  static func locationBlockKey(_ seq: UInt64) -> [UInt8] { seqKey(seq / UInt64(packed)) }
  static func nodeBlockKey(_ id: MerkleNodeID) -> [UInt8] { [id.level] + seqKey(id.index / UInt64(packed)) }

  /// A location as 12 bytes: offset (8, big-endian) and length (4, big-endian).
  static func locationBytes(_ location: EntryLocation) -> [UInt8] {
    seqKey(UInt64(location.offset)) + (0..<4).reversed().map { UInt8(truncatingIfNeeded: location.length >> ($0 * 8)) }
  }

  static func location(in block: [UInt8], slot: Int) -> EntryLocation? {
    let start = slot * locationSlot
    guard start + locationSlot <= block.count else { return nil }
    var offset = 0
    var length = 0
    for index in start..<(start + 8) { offset = offset << 8 | Int(block[index]) }
    for index in (start + 8)..<(start + 12) { length = length << 8 | Int(block[index]) }
    return length == 0 ? nil : EntryLocation(offset: offset, length: length)
  }

  static func node(in block: [UInt8], slot: Int) -> SHA256Digest? {
    let start = slot * nodeSlot
    guard start + nodeSlot <= block.count else { return nil }
    let bytes = block[start..<(start + nodeSlot)]
    return bytes.allSatisfy({ $0 == 0 }) ? nil : SHA256Digest(bytes: bytes)
  }

  static func seqKey(_ seq: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: seq >> (UInt64($0) * 8)) } }

  struct Meta: Codable {
    /// The layout of the rows; a state written by another layout is rebuilt.
    static let currentVersion = 8
    var version = Meta.currentVersion
    var position: LedgerState.Position
    /// Byte offset where the head entry's line starts, and where the log ends.
    var headOffset: Int
    var logBytes: Int
  }

  init(path: String) throws {
    self.path = path
    var handle: OpaquePointer? = nil
    guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
      let handle
    else {
      let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      sqlite3_close(handle)
      throw StoreError(.io, "cannot open the derived state \(path): \(message)")
    }
    db = handle
    sqlite3_busy_timeout(db, 5000)
    try execute("PRAGMA journal_mode=WAL")
    try execute("PRAGMA synchronous=NORMAL")
    // Keys are mostly digests, so writes land all over the B-tree: a page cache of 64 MiB (instead of
    // SQLite's 2 MiB) keeps a large batch's writes from re-reading the same pages.
    try execute("PRAGMA cache_size=-65536")
    // Reads map the file instead of copying pages through read(2): a proof's few lookups in a 1M-entry
    // ledger's state cost one system call each otherwise.
    try execute("PRAGMA mmap_size=1073741824")
    try execute(
      "CREATE TABLE IF NOT EXISTS rows (tbl INTEGER NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID"
    )
    try execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
  }

  deinit {
    sqlite3_finalize(rangeStatement)
    sqlite3_finalize(selectStatement)
    sqlite3_close_v2(db)
  }

  private func fail(_ what: String) -> StoreError {
    if sqlite3_errcode(db) & 0xFF == SQLITE_IOERR || sqlite3_errcode(db) == SQLITE_FULL {
      // What the user can act on: the disk, not the SQL statement that met it.
      var message = "writing the derived state \(path) failed: \(String(cString: sqlite3_errmsg(db)))"
      let code = sqlite3_system_errno(db)
      if code != 0 { message += " (\(String(cString: strerror(code))))" }
      message += "; free disk space or raise the file-size limit (ulimit -f), then run the command again"
      return StoreError(.io, message)
    }
    let step = what.count > 48 ? what.prefix(48) + "…" : what
    return StoreError(.io, "derived state \(path): \(step): \(String(cString: sqlite3_errmsg(db)))")
  }

  func execute(_ sql: String) throws {
    guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw fail(sql) }
  }

  private func prepare(_ sql: String) throws -> OpaquePointer {
    var statement: OpaquePointer? = nil
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw fail("prepare") }
    return statement
  }

  // MARK: Rows

  private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return encoder
  }()

  private var selectStatement: OpaquePointer? = nil

  /// Entry records are most of the rows; they get a compact text form instead of JSON:
  /// `seq kind actor voided [effect JSON]`, separated by tabs (ids never hold tabs).
  static func encodeEntry(_ record: LedgerState.EntryRecord) -> [UInt8] {
    var out = RowWriter()
    out.raw(record.seq)
    out.raw("\t")
    out.raw(record.kind.rawValue)
    out.raw("\t")
    out.raw(record.actor)
    out.raw(record.voided ? "\t1" : "\t0")
    if let effect = record.effect {
      out.raw("\t")
      encodeEffect(effect, into: &out)
    }
    return out.bytes
  }

  /// The bytes of a row value, written directly with the members `JSONDecoder` reads back.
  struct RowWriter {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(128) }
    mutating func raw(_ text: StaticString) {
      bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func raw(_ number: some BinaryInteger) { bytes.append(contentsOf: String(number).utf8) }
    mutating func string(_ text: String) { JCS.appendString(text, to: &bytes) }
    mutating func string(_ decimal: ExactDecimal) { string(decimal.description) }
    mutating func string(_ time: Timestamp) {
      bytes.append(UInt8(ascii: "\""))
      time.appendDescription(to: &bytes)
      bytes.append(UInt8(ascii: "\""))
    }
    mutating func hex(_ digest: SHA256Digest) {
      bytes.append(UInt8(ascii: "\""))
      bytes.append(contentsOf: digest.hex.utf8)
      bytes.append(UInt8(ascii: "\""))
    }
  }

  static func encodeSeq(_ seq: UInt64) -> [UInt8] { Array(String(seq).utf8) }

  static func encodeFieldEvent(_ event: FieldEventRef) -> [UInt8] {
    var out = RowWriter()
    out.raw("{\"seq\":")
    out.raw(event.seq)
    out.raw(",\"kind\":\"")
    out.raw(event.kind.rawValue)
    out.raw("\",\"from\":")
    out.string(event.from)
    out.raw(",\"until\":")
    out.string(event.until)
    out.raw("}")
    return out.bytes
  }

  static func encodeRef(_ ref: LedgerState.RefRecord) -> [UInt8] {
    var out = RowWriter()
    out.raw("{\"seq\":")
    out.raw(ref.seq)
    out.raw(",\"entryID\":")
    out.hex(ref.entryID)
    out.raw(",\"payloadHash\":")
    out.hex(ref.payloadHash)
    out.raw("}")
    return out.bytes
  }

  static func encodeLot(_ lot: LedgerState.Lot) -> [UInt8] {
    var out = RowWriter()
    out.raw("{\"id\":")
    out.string(lot.id)
    out.raw(",\"product\":")
    out.string(lot.product)
    out.raw(",\"unit\":")
    out.string(lot.unit)
    out.raw(",\"created\":")
    out.string(lot.created)
    out.raw(",\"createdSeq\":")
    out.raw(lot.createdSeq)
    out.raw(",\"holdings\":{")
    let holdings = lot.holdings.count < 2 ? Array(lot.holdings) : lot.holdings.sorted { $0.key < $1.key }
    for (index, (participant, quantity)) in holdings.enumerated() {
      if index > 0 { out.raw(",") }
      out.string(participant)
      out.raw(":")
      out.string(quantity)
    }
    out.raw("}}")
    return out.bytes
  }

  static func encodeShipment(_ shipment: LedgerState.ShipmentRecord) -> [UInt8] {
    var out = RowWriter()
    out.raw("{\"lot\":")
    out.string(shipment.lot)
    out.raw(",\"from\":")
    out.string(shipment.from)
    out.raw(",\"to\":")
    out.string(shipment.to)
    out.raw(",\"quantity\":")
    out.string(shipment.quantity)
    out.raw(",\"received\":")
    out.string(shipment.received)
    out.raw(",\"time\":")
    out.string(shipment.time)
    out.raw(",\"seq\":")
    out.raw(shipment.seq)
    out.raw("}")
    return out.bytes
  }

  /// The JSON that `JSONEncoder` writes for an effect (and `JSONDecoder` reads back), written
  /// directly: it is on every entry, and the generic encoder was a tenth of an import's time.
  static func encodeEffect(_ effect: LedgerState.Effect, into out: inout RowWriter) {
    out.raw("{\"deltas\":[")
    for (index, delta) in effect.deltas.enumerated() {
      out.raw(index == 0 ? "{\"lot\":" : ",{\"lot\":")
      out.string(delta.lot)
      out.raw(",\"participant\":")
      out.string(delta.participant)
      out.raw(",\"delta\":")
      out.string(delta.delta)
      out.raw("}")
    }
    out.raw(effect.createdShipment ? "],\"createdShipment\":true" : "],\"createdShipment\":false")
    if let receipt = effect.receipt {
      out.raw(",\"receipt\":{\"shipment\":")
      out.hex(receipt.shipment)
      out.raw(",\"quantity\":")
      out.string(receipt.quantity)
      out.raw("}")
    }
    out.raw("}")
  }

  /// Reads back the rows a trace reads most (seqs of list rows, field events) exactly as
  /// `encodeSeq` and `encodeFieldEvent` wrote them; nil for anything else, which goes through
  /// `JSONDecoder` (a field's long history made it most of a trace's time).
  static func fastDecode<V>(_ raw: UnsafeRawBufferPointer, as type: V.Type) -> V? {
    let bytes = raw.assumingMemoryBound(to: UInt8.self)
    func integer(_ range: Range<Int>) -> UInt64? {
      guard !range.isEmpty, range.count <= 19 else { return nil }
      var value: UInt64 = 0
      for index in range {
        let digit = bytes[index] &- 0x30
        guard digit < 10 else { return nil }
        value = value * 10 + UInt64(digit)
      }
      return value
    }
    if V.self == UInt64.self { return integer(0..<bytes.count) as? V }
    guard V.self == FieldEventRef.self else { return nil }
    // {"seq":N,"kind":"K","from":"T","until":"T"}
    func expect(_ literal: StaticString, at index: Int) -> Bool {
      let count = literal.utf8CodeUnitCount
      return index + count <= bytes.count && memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0
    }
    guard expect(#"{"seq":"#, at: 0), let comma = bytes[7...].firstIndex(of: UInt8(ascii: ",")),
      let seq = integer(7..<comma), expect(#","kind":""#, at: comma)
    else { return nil }
    let kindStart = comma + 9
    guard let kindEnd = bytes[kindStart...].firstIndex(of: UInt8(ascii: "\"")),
      let kind = StatementKind(
        rawValue: String(decoding: UnsafeBufferPointer(rebasing: bytes[kindStart..<kindEnd]), as: UTF8.self)),
      expect(#"","from":""#, at: kindEnd)
    else { return nil }
    let fromStart = kindEnd + 10
    guard let fromEnd = bytes[fromStart...].firstIndex(of: UInt8(ascii: "\"")),
      let from = Timestamp(utf8: UnsafeBufferPointer(rebasing: bytes[fromStart..<fromEnd])),
      expect(#"","until":""#, at: fromEnd)
    else { return nil }
    let untilStart = fromEnd + 11
    guard bytes.count >= untilStart + 2, expect(#""}"#, at: bytes.count - 2),
      let until = Timestamp(utf8: UnsafeBufferPointer(rebasing: bytes[untilStart..<(bytes.count - 2)]))
    else { return nil }
    return FieldEventRef(seq: seq, kind: kind, from: from, until: until) as? V
  }

  static func decodeEntry(_ data: Data) -> LedgerState.EntryRecord? {
    let fields = String(decoding: data, as: UTF8.self).split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
    guard fields.count >= 4, let seq = UInt64(fields[0]), let kind = StatementKind(rawValue: String(fields[1])) else {
      return nil
    }
    let effect = fields.count == 5 ? try? JSONDecoder().decode(LedgerState.Effect.self, from: Data(fields[4].utf8)) : nil
    if fields.count == 5 && effect == nil { return nil }
    return LedgerState.EntryRecord(seq: seq, kind: kind, actor: String(fields[2]), voided: fields[3] == "1", effect: effect)
  }

  /// The stored bytes of one row.
  func rawValue(_ table: TableID, _ key: [UInt8]) -> [UInt8]? {
    if selectStatement == nil { selectStatement = try? prepare("SELECT value FROM rows WHERE tbl = ? AND key = ?") }
    guard let statement = selectStatement else { return nil }
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    sqlite3_bind_int(statement, 1, table.rawValue)
    _ = key.withUnsafeBytes { loam_sqlite_bind_blob(statement, 2, $0.baseAddress, Int32($0.count)) }
    guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
    let count = Int(sqlite3_column_bytes(statement, 0))
    guard let bytes = sqlite3_column_blob(statement, 0) else { return count == 0 ? [] : nil }
    return [UInt8](UnsafeRawBufferPointer(start: bytes, count: count))
  }

  func value<V: Decodable>(_ table: TableID, _ key: [UInt8], as type: V.Type) -> V? {
    guard let bytes = rawValue(table, key) else { return nil }
    if table == .entries { return Self.decodeEntry(Data(bytes)) as? V }
    if let fast = bytes.withUnsafeBytes({ Self.fastDecode($0, as: V.self) }) { return fast }
    return try? JSONDecoder().decode(V.self, from: Data(bytes))
  }

  private var rangeStatement: OpaquePointer? = nil

  /// The values of a list table's rows for `prefix` (keys `prefix ‖ 0x00 ‖ seq`), in seq order.
  func values<V: Decodable>(_ table: TableID, prefix: [UInt8], as type: V.Type) -> [V] {
    if rangeStatement == nil {
      rangeStatement = try? prepare("SELECT value FROM rows WHERE tbl = ? AND key > ? AND key < ? ORDER BY key")
    }
    guard let statement = rangeStatement else { return [] }
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    sqlite3_bind_int(statement, 1, table.rawValue)
    let lower = prefix + [0x00]
    let upper = prefix + [0x01]
    _ = lower.withUnsafeBytes { loam_sqlite_bind_blob(statement, 2, $0.baseAddress, Int32($0.count)) }
    _ = upper.withUnsafeBytes { loam_sqlite_bind_blob(statement, 3, $0.baseAddress, Int32($0.count)) }
    var out: [V] = []
    let decoder = JSONDecoder()
    while sqlite3_step(statement) == SQLITE_ROW {
      guard let bytes = sqlite3_column_blob(statement, 0) else { continue }
      let raw = UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, 0)))
      if let value = Self.fastDecode(raw, as: V.self) ?? (try? decoder.decode(V.self, from: Data(raw))) {
        out.append(value)
      }
    }
    return out
  }

  /// Every key the ledger holds (for a verifier resuming from this state: its signature checks run
  /// on several threads, which must not share this connection).
  func allKeys() -> [String: PublicKey] {
    guard let statement = try? prepare("SELECT value FROM rows WHERE tbl = \(TableID.keys.rawValue)") else { return [:] }
    defer { sqlite3_finalize(statement) }
    var out: [String: PublicKey] = [:]
    let decoder = JSONDecoder()
    while sqlite3_step(statement) == SQLITE_ROW {
      guard let bytes = sqlite3_column_blob(statement, 0),
        let key = try? decoder.decode(
          LedgerState.Key.self, from: Data(bytes: bytes, count: Int(sqlite3_column_bytes(statement, 0))))
      else { continue }
      out[key.publicKey.keyID] = key.publicKey
    }
    return out
  }

  func meta() -> Meta? {
    guard let statement = try? prepare("SELECT value FROM meta WHERE name = 'position'") else { return nil }
    defer { sqlite3_finalize(statement) }
    guard sqlite3_step(statement) == SQLITE_ROW, let bytes = sqlite3_column_blob(statement, 0),
      let meta = try? JSONDecoder().decode(Meta.self, from: Data(bytes: bytes, count: Int(sqlite3_column_bytes(statement, 0)))),
      meta.version == Meta.currentVersion
    else { return nil }
    return meta
  }

  /// The loaders a `LedgerState` reads missing rows with.
  var backing: LedgerState.Backing {
    func loader<K, V: Decodable & SendableMetatype>(_ table: TableID, _ key: @escaping @Sendable (K) -> [UInt8])
      -> @Sendable (K) -> V?
    {
      { [self] k in value(table, key(k), as: V.self) }
    }
    let text: @Sendable (String) -> [UInt8] = { Array($0.utf8) }
    let digest: @Sendable (SHA256Digest) -> [UInt8] = { $0.bytes }
    return LedgerState.Backing(
      participant: loader(.participants, text), key: loader(.keys, text), field: loader(.fields, text), lot: loader(.lots, text),
      shipment: loader(.shipments, digest), entry: loader(.entries, digest), ref: loader(.refs, text),
      policy: loader(.policies, text))
  }

  /// The loaders of the persisted trace index.
  var traceBacking: TraceIndex.Backing {
    func loader<K, V: Decodable & SendableMetatype>(_ table: TableID, _ key: @escaping @Sendable (K) -> [UInt8])
      -> @Sendable (K) -> V?
    {
      { [self] k in value(table, key(k), as: V.self) }
    }
    let text: @Sendable (String) -> [UInt8] = { Array($0.utf8) }
    let seq: @Sendable (UInt64) -> [UInt8] = { Self.seqKey($0) }
    func list<V: Decodable & SendableMetatype>(_ table: TableID) -> @Sendable (String) -> [V] {
      { [self] key in values(table, prefix: Array(key.utf8), as: V.self) }
    }
    return TraceIndex.Backing(
      lotCreation: loader(.lotCreation, text), lotEvents: list(.lotEvents), fieldEvents: list(.fieldEvents),
      itemSales: loader(.itemSales, text), voided: loader(.voided, seq),
      locations: { [self] seq in
        rawValue(.locations, Self.locationBlockKey(seq)).flatMap { Self.location(in: $0, slot: Int(seq % UInt64(Self.packed))) }
      },
      nodes: { [self] id in
        rawValue(.nodes, Self.nodeBlockKey(id)).flatMap { Self.node(in: $0, slot: Int(id.index % UInt64(Self.packed))) }
      })
  }

  /// Writes the state's in-memory changes and its new position in one transaction.
  func persist(_ state: LedgerState, headOffset: Int, logBytes: Int, replaceAll: Bool = false) throws {
    try execute("BEGIN IMMEDIATE")
    do {
      if replaceAll {
        try execute("DELETE FROM rows")
        try execute("DELETE FROM meta")
      }
      let upsert = try prepare("INSERT OR REPLACE INTO rows (tbl, key, value) VALUES (?, ?, ?)")
      let delete = try prepare("DELETE FROM rows WHERE tbl = ? AND key = ?")
      defer {
        sqlite3_finalize(upsert)
        sqlite3_finalize(delete)
      }
      // Rows go in in key order: the B-tree then grows at its right edge instead of splitting pages all
      // over it (a rebuild of 100,000 entries wrote its rows in half the time).
      func write<K, V>(_ table: TableID, _ changes: [K: V?], key: (K) -> [UInt8], value encode: (V) throws -> [UInt8])
        throws
      {
        let sorted = changes.map { (key: key($0.key), value: $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (keyBytes, v) in sorted {
          let statement = v == nil ? delete : upsert
          sqlite3_reset(statement)
          sqlite3_bind_int(statement, 1, table.rawValue)
          _ = keyBytes.withUnsafeBytes { loam_sqlite_bind_blob(statement, 2, $0.baseAddress, Int32($0.count)) }
          if let v {
            let bytes = try encode(v)
            _ = bytes.withUnsafeBytes { loam_sqlite_bind_blob(statement, 3, $0.baseAddress, Int32($0.count)) }
          }
          guard sqlite3_step(statement) == SQLITE_DONE else { throw fail("write") }
        }
      }
      func json<V: Encodable>(_ value: V) throws -> [UInt8] { [UInt8](try encoder.encode(value)) }
      /// List tables: one row per added item, keyed `key ‖ 0x00 ‖ seq`, so nothing is rewritten.
      func append<V>(_ table: TableID, _ changes: [String: [V]], seq: (V) -> UInt64, value encode: (V) -> [UInt8]) throws {
        let sorted = changes.map { (key: Array($0.key.utf8), items: $0.value) }.sorted {
          $0.key.lexicographicallyPrecedes($1.key)
        }
        for (key, items) in sorted {
          for item in items {
            sqlite3_reset(upsert)
            sqlite3_bind_int(upsert, 1, table.rawValue)
            let keyBytes = key + [0x00] + Self.seqKey(seq(item))
            _ = keyBytes.withUnsafeBytes { loam_sqlite_bind_blob(upsert, 2, $0.baseAddress, Int32($0.count)) }
            let bytes = encode(item)
            _ = bytes.withUnsafeBytes { loam_sqlite_bind_blob(upsert, 3, $0.baseAddress, Int32($0.count)) }
            guard sqlite3_step(upsert) == SQLITE_DONE else { throw fail("write") }
          }
        }
      }
      /// Packed tables: the changed slots of each block merged into its stored row.
      func pack<K, V>(
        _ table: TableID, _ changes: [K: V?], block: (K) -> [UInt8], slot: (K) -> Int, width: Int, bytes: (V) -> [UInt8]
      ) throws {
        var blocks: [[UInt8]: [(slot: Int, value: V?)]] = [:]
        for (key, value) in changes { blocks[block(key), default: []].append((slot(key), value)) }
        for (key, slots) in blocks.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
          var row = replaceAll ? [] : rawValue(table, key) ?? []
          let needed = (slots.map(\.slot).max()! + 1) * width
          if row.count < needed { row += repeatElement(0, count: needed - row.count) }
          for (slot, value) in slots {
            let item = value.map(bytes) ?? [UInt8](repeating: 0, count: width)
            row.replaceSubrange((slot * width)..<((slot + 1) * width), with: item)
          }
          sqlite3_reset(upsert)
          sqlite3_bind_int(upsert, 1, table.rawValue)
          _ = key.withUnsafeBytes { loam_sqlite_bind_blob(upsert, 2, $0.baseAddress, Int32($0.count)) }
          _ = row.withUnsafeBytes { loam_sqlite_bind_blob(upsert, 3, $0.baseAddress, Int32($0.count)) }
          guard sqlite3_step(upsert) == SQLITE_DONE else { throw fail("write") }
        }
      }
      let text: (String) -> [UInt8] = { Array($0.utf8) }
      try write(.participants, state.participants.changes, key: text, value: json)
      try write(.keys, state.keys.changes, key: text, value: json)
      try write(.fields, state.fields.changes, key: text, value: json)
      try write(.lots, state.lots.changes, key: text, value: Self.encodeLot)
      try write(.shipments, state.shipments.changes, key: { $0.bytes }, value: Self.encodeShipment)
      try write(.entries, state.entries.changes, key: { $0.bytes }, value: Self.encodeEntry)
      try write(.refs, state.refs.changes, key: text, value: Self.encodeRef)
      try write(.policies, state.policies.changes, key: text, value: Self.encodeSeq)
      if let trace = state.trace {
        try write(.lotCreation, trace.lotCreation.changes, key: text, value: Self.encodeSeq)
        try append(.lotEvents, trace.lotEvents.changes, seq: { $0 }, value: Self.encodeSeq)
        try append(.fieldEvents, trace.fieldEvents.changes, seq: { $0.seq }, value: Self.encodeFieldEvent)
        try write(.itemSales, trace.itemSales.changes, key: text, value: Self.encodeSeq)
        try write(.voided, trace.voided.changes, key: Self.seqKey, value: json)
        try pack(
          .locations, trace.locations.changes, block: Self.locationBlockKey, slot: { Int($0 % UInt64(Self.packed)) },
          width: Self.locationSlot, bytes: Self.locationBytes)
        try pack(
          .nodes, trace.nodes.changes, block: Self.nodeBlockKey, slot: { Int($0.index % UInt64(Self.packed)) },
          width: Self.nodeSlot, bytes: { $0.bytes })
      }
      let meta = try encoder.encode(Meta(position: state.position, headOffset: headOffset, logBytes: logBytes))
      let statement = try prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('position', ?)")
      defer { sqlite3_finalize(statement) }
      _ = meta.withUnsafeBytes { loam_sqlite_bind_blob(statement, 1, $0.baseAddress, Int32($0.count)) }
      guard sqlite3_step(statement) == SQLITE_DONE else { throw fail("write position") }
      try execute("COMMIT")
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }
}
