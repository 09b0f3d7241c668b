internal import CSQLite
import Dispatch
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
  // @unchecked: the connection is opened with SQLITE_OPEN_NOMUTEX (multi-thread mode), so it may
  // move between threads but must not be used by two at once; nor may its cached statements. The
  // store is used by one thread at a time: the writer's under the ledger lock, or a reader's own.
  private let db: OpaquePointer
  let path: String
  /// A write transaction is open with rows staged by `stage(_:)`, not yet committed.
  private(set) var staging = false

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
  static func writeLocation(_ location: EntryLocation, into place: UnsafeMutableRawBufferPointer) {
    place.storeBytes(of: UInt64(location.offset).bigEndian, toByteOffset: 0, as: UInt64.self)
    place.storeBytes(of: UInt32(truncatingIfNeeded: location.length).bigEndian, toByteOffset: 8, as: UInt32.self)
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

  /// Rows a bulk insert statement takes at once.
  static let rowsPerInsert = 64

  /// `INSERT OR REPLACE` of `rows` rows of one table: ?1 the table, then each row's key and value.
  static func insertStatement(rows: Int) -> String {
    "INSERT OR REPLACE INTO rows (tbl, key, value) VALUES "
      + (0..<rows).map { "(?1, ?\(2 + 2 * $0), ?\(3 + 2 * $0))" }.joined(separator: ", ")
  }

  static func seqKey(_ seq: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: seq >> (UInt64($0) * 8)) } }

  struct Meta: Codable {
    /// The layout of the rows; a state written by another layout is rebuilt.
    static let currentVersion = 10
    var version = Meta.currentVersion
    var position: LedgerState.Position
    /// Byte offset where the head entry's line starts, and where the log ends.
    var headOffset: Int
    var logBytes: Int
  }

  /// Opens (creating when missing) the state at `path`. `bulk` is for a file that is being written
  /// whole and renamed into place only when complete (`rebuild`): no journal and no syncs, since a
  /// crash leaves only a stray file that the next rebuild removes.
  init(path: String, bulk: Bool = false) throws {
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
    try execute(bulk ? "PRAGMA journal_mode=OFF" : "PRAGMA journal_mode=WAL")
    try execute(bulk ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL")
    if bulk { try execute("PRAGMA locking_mode=EXCLUSIVE") }
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

  /// Every row in key order (for checks that two states hold the same rows).
  func forEachRow(_ body: (_ table: Int32, _ key: [UInt8], _ value: [UInt8]) -> Void) throws {
    let statement = try prepare("SELECT tbl, key, value FROM rows ORDER BY tbl, key")
    defer { sqlite3_finalize(statement) }
    func bytes(_ column: Int32) -> [UInt8] {
      guard let pointer = sqlite3_column_blob(statement, column) else { return [] }
      return [UInt8](UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column))))
    }
    while sqlite3_step(statement) == SQLITE_ROW { body(sqlite3_column_int(statement, 0), bytes(1), bytes(2)) }
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

  /// The loaders a `LedgerState` reads missing rows with; `statement` reads an entry's statement
  /// back from the log.
  func backing(statement: @escaping EntryTable.StatementReader) -> LedgerState.Backing {
    func loader<K, V: Decodable & SendableMetatype>(_ table: TableID, _ key: @escaping @Sendable (K) -> [UInt8])
      -> @Sendable (K) -> V?
    {
      { [self] k in value(table, key(k), as: V.self) }
    }
    let text: @Sendable (String) -> [UInt8] = { Array($0.utf8) }
    let digest: @Sendable (SHA256Digest) -> [UInt8] = { $0.bytes }
    return LedgerState.Backing(
      participant: loader(.participants, text), key: loader(.keys, text), field: loader(.fields, text), lot: loader(.lots, text),
      shipment: loader(.shipments, digest), entry: loader(.entries, digest),
      ref: loader(.refs, Self.refKey),
      policy: loader(.policies, text), statement: statement)
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

  /// Writes `state` (derived from the whole log) as a new state file beside `path` and renames it
  /// over `path`: the rows go in once, without the write-ahead log that would take each page twice
  /// (a 1M-entry rebuild spent half its time writing and checkpointing it), and a crash midway
  /// leaves the old state or none, never a half-written one.
  static func rebuild(path: String, directory: String, from state: LedgerState, headOffset: Int, logBytes: Int) throws
    -> StateStore
  {
    let building = path + ".rebuild"
    for suffix in ["", "-journal"] { unlink(building + suffix) }
    do {
      let store = try StateStore(path: building, bulk: true)
      try store.persist(state, headOffset: headOffset, logBytes: logBytes, replaceAll: true)
      try store.execute("PRAGMA journal_mode=DELETE")
    }
    try FileIO.syncFile(building)
    // The old state's write-ahead log must not be paired with the new file.
    for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
    guard rename(building, path) == 0 else { throw FileIO.ioError("renaming", building) }
    try FileIO.syncDirectory(directory)
    return try StateStore(path: path)
  }

  /// Writes the state's in-memory changes and its new position in one transaction (completing the
  /// one `stage(_:)` opened, if any).
  func persist(_ state: LedgerState, headOffset: Int, logBytes: Int, replaceAll: Bool = false) throws {
    if !staging { try execute("BEGIN IMMEDIATE") }
    staging = false
    do {
      if replaceAll {
        try execute("DELETE FROM rows")
        try execute("DELETE FROM meta")
      }
      try writeChanges(state, replaceAll: replaceAll)
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

  /// Writes the rows a large batch has changed so far into a transaction left open, while the rest
  /// of the batch is still being checked (the caller then marks them persisted in memory); the
  /// final `persist` adds the rest and the position and commits. Nothing is visible to readers, or
  /// survives a crash, before that commit. A failure rolls the whole transaction back and throws:
  /// the in-memory state then no longer holds what was staged, so the batch must not go on.
  func stage(_ state: LedgerState) throws {
    if !staging {
      try execute("BEGIN IMMEDIATE")
      staging = true
    }
    do {
      try writeChanges(state, replaceAll: false)
    } catch {
      abandonStaging()
      throw error
    }
  }

  /// Rolls back rows staged by `stage(_:)` and not committed (a refused or failed batch).
  func abandonStaging() {
    guard staging else { return }
    staging = false
    try? execute("ROLLBACK")
  }

  /// The state's in-memory changes as rows, inside the caller's transaction. The rows of each
  /// table are encoded and put in key order on the other cores while this thread writes the tables
  /// before them; they go in in key order, so the B-tree grows at its right edge instead of
  /// splitting pages all over it.
  private func writeChanges(_ state: LedgerState, replaceAll: Bool) throws {
    // A rebuild's packed blocks start empty, so they are made with the other tables' rows, on the
    // other threads; an update merges its slots into the stored blocks, read here (below).
    let jobs = Self.rowJobs(state) + (replaceAll ? Self.packedRowJobs(state, stored: { _, _ in nil }) : [])
    let pipeline = RowPipeline(count: jobs.count)
    if state.entries.changes.count <= 16 {
      // A few entries' rows: starting threads for them would cost more than they save (a typed
      // append took a millisecond longer).
      for (index, job) in jobs.enumerated() { pipeline.finish(index, Result(catching: job)) }
    } else {
      DispatchQueue.global().async {
        DispatchQueue.concurrentPerform(iterations: jobs.count) { pipeline.finish($0, Result(catching: jobs[$0])) }
      }
    }
    // Every job is waited for, even after a failure, so none outlives this call.
    defer { pipeline.drain() }
    let upsert = try prepare("INSERT OR REPLACE INTO rows (tbl, key, value) VALUES (?, ?, ?)")
    let delete = try prepare("DELETE FROM rows WHERE tbl = ? AND key = ?")
    // Rows go in `Self.rowsPerInsert` to a statement when there are that many: one step then
    // inserts them all through one open cursor, instead of a step, a cursor and a descent from the
    // root per row (a 1M-entry rebuild's 3M rows took 2.5 µs each).
    let upsertMany =
      state.entries.changes.count > 16 ? try prepare(Self.insertStatement(rows: Self.rowsPerInsert)) : nil
    defer {
      sqlite3_finalize(upsert)
      sqlite3_finalize(delete)
      sqlite3_finalize(upsertMany)
    }
    func write(_ rows: TableRows) throws {
      let tableID = rows.table.rawValue
      try rows.withRows { bytes, rows in
        func bytesOf(_ start: Int) -> UnsafeRawPointer { bytes.baseAddress! + start }
        var index = rows.startIndex
        while index < rows.endIndex {
          if let upsertMany, index + Self.rowsPerInsert <= rows.endIndex,
            rows[index..<(index + Self.rowsPerInsert)].allSatisfy({ $0.valueCount >= 0 })
          {
            sqlite3_reset(upsertMany)
            sqlite3_bind_int(upsertMany, 1, tableID)
            for (offset, row) in rows[index..<(index + Self.rowsPerInsert)].enumerated() {
              let parameter = Int32(2 + 2 * offset)
              _ = loam_sqlite_bind_blob_static(upsertMany, parameter, bytesOf(row.start), row.keyCount)
              _ = loam_sqlite_bind_blob_static(
                upsertMany, parameter + 1, bytesOf(row.start + Int(row.keyCount)), row.valueCount)
            }
            guard sqlite3_step(upsertMany) == SQLITE_DONE else { throw fail("write") }
            index += Self.rowsPerInsert
            continue
          }
          let row = rows[index]
          let statement = row.valueCount < 0 ? delete : upsert
          sqlite3_reset(statement)
          sqlite3_bind_int(statement, 1, tableID)
          _ = loam_sqlite_bind_blob_static(statement, 2, bytesOf(row.start), row.keyCount)
          if row.valueCount >= 0 {
            _ = loam_sqlite_bind_blob_static(
              statement, 3, bytesOf(row.start + Int(row.keyCount)), row.valueCount)
          }
          guard sqlite3_step(statement) == SQLITE_DONE else { throw fail("write") }
          index += 1
        }
        // Nothing may point into the rows' bytes after them.
        for statement in [upsert, delete, upsertMany] { if let statement { sqlite3_clear_bindings(statement) } }
      }
    }
    for _ in jobs.indices { try write(try pipeline.takeNext().get()) }
    if !replaceAll {
      for job in Self.packedRowJobs(state, stored: { [self] in rawValue($0, $1) }) { try write(try job()) }
    }
  }

  /// The packed tables' changed blocks as rows, one job per table (and tree level): each block is
  /// its stored row (`stored`, by table and block key) with the changed slots merged in, block by
  /// block in key order (`forEachChange` gives the changes in key order).
  static func packedRowJobs(
    _ state: LedgerState, stored: @escaping @Sendable (TableID, [UInt8]) -> [UInt8]?
  ) -> [@Sendable () throws -> TableRows] {
    func pack<V: Sendable>(
      _ table: TableID, _ changes: DenseTable<V>, blockKey: @escaping @Sendable (UInt64) -> [UInt8], width: Int,
      write: @escaping @Sendable (V, UnsafeMutableRawBufferPointer) -> Void
    ) -> @Sendable () throws -> TableRows {
      {
        var rows = TableRows(table)
        var block: UInt64? = nil
        var row: [UInt8] = []
        func flush() {
          guard let block else { return }
          let key = blockKey(block)
          rows.add(key: { $0.raw(key) }, value: { $0.raw(row) })
        }
        changes.forEachChange { key, value in
          let index = key / UInt64(Self.packed)
          if index != block {
            flush()
            block = index
            row = stored(table, blockKey(index)) ?? []
          }
          let slot = Int(key % UInt64(Self.packed))
          let needed = (slot + 1) * width
          if row.count < needed { row += repeatElement(0, count: needed - row.count) }
          row.withUnsafeMutableBytes { bytes in
            let place = UnsafeMutableRawBufferPointer(rebasing: bytes[(slot * width)..<needed])
            if let value { write(value, place) } else { place.initializeMemory(as: UInt8.self, repeating: 0) }
          }
        }
        flush()
        return rows
      }
    }
    guard let trace = state.trace else { return [] }
    return [pack(.locations, trace.locations, blockKey: Self.seqKey, width: Self.locationSlot, write: Self.writeLocation)]
      + trace.nodes.changedLevels.map { level, nodes in
        pack(.nodes, nodes, blockKey: { [level] + Self.seqKey($0) }, width: Self.nodeSlot) { $0.store(into: $1) }
      }
  }

  /// The rows of every table but the packed ones, as jobs that may run on any thread, in table order.
  static func rowJobs(_ state: LedgerState) -> [@Sendable () throws -> TableRows] {
    func rows<K: Sendable, V: Sendable>(
      _ table: TableID, _ changes: [K: V?], key: @escaping @Sendable (K, inout RowWriter) -> Void,
      value: @escaping @Sendable (V, inout RowWriter) throws -> Void
    ) -> @Sendable () throws -> TableRows {
      {
        var rows = TableRows(table, capacity: changes.count)
        for (k, v) in changes {
          if let v {
            try rows.add(key: { key(k, &$0) }, value: { try value(v, &$0) })
          } else {
            rows.delete(key: { key(k, &$0) })
          }
        }
        rows.sort()
        return rows
      }
    }
    /// List tables: one row per added item, keyed `key ‖ 0x00 ‖ seq`, so nothing is rewritten.
    func list<V: Sendable>(
      _ table: TableID, _ changes: [String: [V]], seq: @escaping @Sendable (V) -> UInt64,
      value: @escaping @Sendable (V, inout RowWriter) -> Void
    ) -> @Sendable () throws -> TableRows {
      {
        var rows = TableRows(table, capacity: changes.count)
        for (k, items) in changes {
          for item in items {
            rows.add(
              key: {
                $0.raw(k.utf8)
                $0.raw(CollectionOfOne(0))
                $0.seqKey(seq(item))
              }, value: { value(item, &$0) })
          }
        }
        rows.sort()
        return rows
      }
    }
    let text: @Sendable (String, inout RowWriter) -> Void = { $1.raw($0.utf8) }
    let digest: @Sendable (SHA256Digest, inout RowWriter) -> Void = { $1.raw($0.bytes) }
    let json: @Sendable (any Encodable, inout RowWriter) throws -> Void = {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      $1.raw(try encoder.encode($0))
    }
    var jobs = [
      rows(.participants, state.participants.changes, key: text, value: json),
      rows(.keys, state.keys.changes, key: text, value: json),
      rows(.fields, state.fields.changes, key: text, value: json),
      rows(.lots, state.lots.changes, key: text, value: encodeLot),
      rows(.shipments, state.shipments.changes, key: digest, value: encodeShipment),
      rows(.entries, state.entries.changes, key: digest, value: encodeEntry),
      rows(.refs, state.refs.changes, key: { $1.raw(refKey($0)) }, value: encodeRef),
      rows(.policies, state.policies.changes, key: text, value: encodeSeq),
    ]
    if let trace = state.trace {
      jobs += [
        rows(.lotCreation, trace.lotCreation.changes, key: text, value: encodeSeq),
        list(.lotEvents, trace.lotEvents.changes, seq: { $0 }, value: encodeSeq),
        list(.fieldEvents, trace.fieldEvents.changes, seq: { $0.seq }, value: encodeFieldEvent),
        rows(.itemSales, trace.itemSales.changes, key: text, value: encodeSeq),
        rows(.voided, trace.voided.changes, key: { $1.seqKey($0) }, value: json),
      ]
    }
    return jobs
  }
}

/// The encoded rows of each table, handed from the threads that make them to the one that writes
/// them, in table order.
private final class RowPipeline: @unchecked Sendable {
  // @unchecked: slot `i` is written once by one thread before `ready[i]` is signalled, and read
  // only after waiting for it.
  private let results: UnsafeMutableBufferPointer<Result<StateStore.TableRows, any Error>?>
  private let ready: [DispatchSemaphore]
  /// The slots taken so far (by the writing thread only).
  private(set) var taken = 0

  init(count: Int) {
    results = .allocate(capacity: count)
    results.initialize(repeating: nil)
    ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
  }

  deinit {
    results.deinitialize()
    results.deallocate()
  }

  func finish(_ index: Int, _ result: Result<StateStore.TableRows, any Error>) {
    results[index] = result
    ready[index].signal()
  }

  /// Waits for the next slot and empties it.
  func takeNext() -> Result<StateStore.TableRows, any Error> {
    ready[taken].wait()
    defer {
      results[taken] = nil
      taken += 1
    }
    return results[taken]!
  }

  /// Waits for the slots not taken, so that no job outlives the pipeline's use.
  func drain() { while taken < ready.count { _ = takeNext() } }
}
