import Glibc
public import LoamCore
import LoamCrypto
import LoamVerify

/// The derived state and trace index: loaded from state.sqlite when it matches the log, caught up or
/// rebuilt from the log otherwise.
extension Ledger {

  /// The state the log implies now, for reading (the persisted state caught up in memory).
  public func currentState() throws -> LedgerState {
    let size = FileIO.size(ofPath: entriesPath)
    if let store = try? StateStore(path: statePath), let meta = store.meta(), try headMatches(meta, logBytes: size) {
      var state = LedgerState(position: meta.position, backing: stateBacking(store))
      state.trace = TraceIndex(backing: store.traceBacking)
      _ = try replay(into: &state, from: meta.logBytes)
      return state
    }
    var state = LedgerState()
    state.trace = TraceIndex()
    _ = try replay(into: &state, from: 0, reservingFor: size)
    return state
  }

  /// The state for a writer holding the lock: the persisted state when its position matches the
  /// log (caught up and saved if it lags), else rebuilt from the whole log and saved.
  func writerState(logBytes: Int) throws -> (StateStore, LedgerState, headOffset: Int) {
    if let persisted = try persistedWriterState(logBytes: logBytes) { return persisted }
    return try rebuiltState(logBytes: logBytes)
  }

  /// The state derived from the whole log, written as a new state file that replaces the old.
  func rebuiltState(logBytes: Int) throws -> (StateStore, LedgerState, headOffset: Int) {
    var state = LedgerState()
    state.trace = TraceIndex()
    let headOffset = try replay(into: &state, from: 0, reservingFor: logBytes) ?? 0
    let store = try StateStore.rebuild(
      path: statePath, directory: directory, from: state, headOffset: headOffset, logBytes: logBytes)
    let built = state
    state = LedgerState()
    freeElsewhere(consume built)  // the last reference: freed on the other thread
    guard let meta = store.meta() else { throw StoreError(.io, "the derived state \(statePath) could not be written") }
    var fresh = LedgerState(position: meta.position, backing: stateBacking(store))
    fresh.trace = TraceIndex(backing: store.traceBacking)
    return (store, fresh, headOffset)
  }

  /// The persisted state when it is a prefix of the log, caught up and saved if it lags; nil when
  /// there is none or it does not match the log (the caller rebuilds it; the connection is closed).
  private func persistedWriterState(logBytes: Int) throws -> (StateStore, LedgerState, headOffset: Int)? {
    let store: StateStore
    do {
      store = try StateStore(path: statePath)
    } catch {
      // An unreadable derived state is rebuilt: it is never the source of truth.
      return nil
    }
    guard let meta = store.meta(), meta.logBytes <= logBytes, try headMatches(meta, logBytes: logBytes) else { return nil }
    var state = LedgerState(position: meta.position, backing: stateBacking(store))
    state.trace = TraceIndex(backing: store.traceBacking)
    if meta.logBytes == logBytes { return (store, state, meta.headOffset) }
    let headOffset = try replay(into: &state, from: meta.logBytes) ?? meta.headOffset
    try? store.persist(state, headOffset: headOffset, logBytes: logBytes)
    state.markPersisted()
    return (store, state, headOffset)
  }

  /// The persisted state's loaders, with the statement reader its entry records need: the entry's
  /// line at its place in the persisted trace index (its seq must match), else found by scanning.
  /// (The log is opened per read: only a correction reads, and every state is opened for an append.)
  func stateBacking(_ store: StateStore) -> LedgerState.Backing {
    let locations = store.traceBacking.locations
    return store.backing { [self] seq in
      let located = locations(seq).flatMap { LineFile(path: entriesPath).read($0) }.flatMap { try? Entry(line: $0) }
      guard let entry = located?.seq == seq ? located : try? readEntry(seq: seq),
        let statement = try? Statement(payload: entry.envelope.payload)
      else { return nil }
      return EntryTable.ReadBack(id: entry.id, statement: statement)
    }
  }

  /// True when the persisted position's head is the line that ends at its recorded length.
  func headMatches(_ meta: StateStore.Meta, logBytes: Int) throws -> Bool {
    guard meta.position.size > 0, meta.logBytes <= logBytes, meta.headOffset < meta.logBytes else { return false }
    let descriptor = open(entriesPath, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileIO.ioError("reading", entriesPath) }
    defer { close(descriptor) }
    let length = meta.logBytes - meta.headOffset
    var line = [UInt8](repeating: 0, count: length)
    let count = line.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(meta.headOffset)) }
    guard count == length, line.last == 0x0A else { return false }
    line.removeLast()
    return MerkleHash.leaf(line) == meta.position.head
  }

  /// Applies the log's lines from byte `start` to `state`. The signatures were checked when each
  /// entry was appended; `loam verify` checks them again. Returns where the last line starts.
  /// `reservingFor`: the log's length, when the replay reads most of it; the state's per-entry
  /// tables get room for as many entries as the first 4096 lines' length makes it hold, and an
  /// eighth more. (The first batch alone is the first 64 KiB: the genesis and enrolments, whose
  /// long lines made the estimate short, and the entries table then grew once, late and large.)
  @discardableResult
  func replay(into state: inout LedgerState, from start: Int, reservingFor logBytes: Int? = nil) throws -> Int? {
    var lastStart: Int? = nil
    var lineStart = start
    var reserve = logBytes
    var sampled = (lines: 0, bytes: 0)
    try forEachParsedBatch(from: start) { lines, parsed in
      if let bytes = reserve, !lines.isEmpty {
        sampled.lines += lines.count
        sampled.bytes += lines.reduce(0) { $0 + $1.count + 1 }
        if sampled.lines >= 4096 {
          let entries = (bytes - start) / max(1, sampled.bytes / sampled.lines)
          state.reserveCapacity(entries: entries + entries / 8)
          reserve = nil
        }
      }
      for index in lines.indices {
        let line = lines[index]
        lastStart = lineStart
        state.trace?.locate(state.size, EntryLocation(offset: lineStart, length: line.count))
        lineStart += line.count + 1
        // Read in place: a copy of the item would retain (and later release) all it holds.
        switch parsed[index] {
        case .none:
          state.skip(unreadableEntryID: MerkleHash.leaf(line))
        case .some((let entry, let statement)):
          _ = state.apply(entry, statement: statement, signatures: Self.trustedSignatures(entry, statement, state))
        }
      }
    }
    return lastStart
  }

  /// The log's lines from byte `start`, in batches of up to 4096, each line with its entry and
  /// statement (nil: unreadable line), valid during the call of `body`. Another thread reads and
  /// parses the batches ahead, and frees those handled (`ParsedBatches`).
  func forEachParsedBatch(
    from start: Int,
    _ body: ([ArraySlice<UInt8>], UnsafeBufferPointer<(Entry, Result<Statement, StatementError>)?>) throws -> Void
  ) throws {
    let batches = ParsedBatches(try LogReader(path: entriesPath, from: start))
    defer { batches.stop() }
    while true {
      let batch = try batches.next()
      if batch.lines.isEmpty { return }
      try body(batch.lines, batch.results)
      batches.handBack(consume batch)
    }
  }

  /// The signature results a replay gives `apply`: valid for every key the state knows (or the
  /// entry introduces), unknown otherwise, as when the entry was appended.
  private static func trustedSignatures(
    _ entry: borrowing Entry, _ statement: borrowing Result<Statement, StatementError>, _ state: borrowing LedgerState
  ) -> [SignatureResult] {
    let introduced: [PublicKey]
    switch statement {
    case .success(let parsed): introduced = parsed.body.introducedKeys
    case .failure: introduced = []
    }
    return entry.envelope.signatures.map { signature in
      let known = state.knowsKey(signature.keyID) || introduced.contains { $0.keyID == signature.keyID }
      return SignatureResult(keyID: signature.keyID, valid: known ? true : nil)
    }
  }

  /// An entry and its statement (nil: unreadable line).
  static func parseLine(_ line: ArraySlice<UInt8>) -> (Entry, Result<Statement, StatementError>)? {
    guard let entry = try? Entry(line: Array(line)) else { return nil }
    return (entry, Result { try Statement(payload: entry.envelope.payload) }.mapError(statementError))
  }
}
