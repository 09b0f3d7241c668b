import Dispatch
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
      var state = LedgerState(position: meta.position, backing: store.backing)
      state.trace = TraceIndex(backing: store.traceBacking)
      _ = try replay(into: &state, from: meta.logBytes)
      return state
    }
    var state = LedgerState()
    state.trace = TraceIndex()
    _ = try replay(into: &state, from: 0)
    return state
  }

  /// The state for a writer holding the lock: the persisted state when its position matches the
  /// log (caught up and saved if it lags), else rebuilt from the whole log and saved.
  func writerState(logBytes: Int) throws -> (StateStore, LedgerState, headOffset: Int) {
    let store: StateStore
    do {
      store = try StateStore(path: statePath)
    } catch {
      // An unreadable derived state is rebuilt: it is never the source of truth.
      unlink(statePath)
      store = try StateStore(path: statePath)
    }
    if let meta = store.meta(), meta.logBytes <= logBytes, try headMatches(meta, logBytes: logBytes) {
      var state = LedgerState(position: meta.position, backing: store.backing)
      state.trace = TraceIndex(backing: store.traceBacking)
      if meta.logBytes == logBytes { return (store, state, meta.headOffset) }
      let headOffset = try replay(into: &state, from: meta.logBytes) ?? meta.headOffset
      try? store.persist(state, headOffset: headOffset, logBytes: logBytes)
      state.markPersisted()
      return (store, state, headOffset)
    }
    var state = LedgerState()
    state.trace = TraceIndex()
    let headOffset = try replay(into: &state, from: 0) ?? 0
    try store.persist(state, headOffset: headOffset, logBytes: logBytes, replaceAll: true)
    guard let meta = store.meta() else { throw StoreError(.io, "the derived state \(statePath) could not be written") }
    var fresh = LedgerState(position: meta.position, backing: store.backing)
    fresh.trace = TraceIndex(backing: store.traceBacking)
    return (store, fresh, headOffset)
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
  @discardableResult
  func replay(into state: inout LedgerState, from start: Int) throws -> Int? {
    var reader = try LogReader(path: entriesPath, from: start)
    defer { reader.close() }
    var lastStart: Int? = nil
    var lineStart = start
    var lines = try reader.nextBatch(maximum: 4096)
    var parsed = Self.parseLines(lines)
    while !lines.isEmpty {
      // The next batch is read and parsed on the other cores while this one is applied in order.
      let next = ParsedBatch()
      let group = DispatchGroup()
      let nextLines = try reader.nextBatch(maximum: 4096)
      if !nextLines.isEmpty {
        DispatchQueue.global().async(group: group) { next.items = Self.parseLines(nextLines) }
      }
      for (line, item) in zip(lines, parsed) {
        lastStart = lineStart
        state.trace?.locate(state.size, EntryLocation(offset: lineStart, length: line.count))
        lineStart += line.count + 1
        guard let (entry, statement) = item else {
          state.skip(unreadableEntryID: MerkleHash.leaf(line))
          continue
        }
        var introduced: Set<String> = []
        if case .success(let parsed) = statement {
          switch parsed.body {
          case .genesis(let genesis): introduced = Set(genesis.participants.flatMap(\.keys).map(\.keyID))
          case .enroll(let spec): introduced = Set(spec.keys.map(\.keyID))
          case .keys(let change): introduced = Set(change.add.map(\.keyID))
          default: break
          }
        }
        let signatures = entry.envelope.signatures.map {
          SignatureResult(keyID: $0.keyID, valid: state.keys[$0.keyID] != nil || introduced.contains($0.keyID) ? true : nil)
        }
        _ = state.apply(entry, statement: statement, signatures: signatures)
      }
      group.wait()
      lines = nextLines
      parsed = next.items
    }
    return lastStart
  }

  /// A batch parsed on another thread, handed over once its group is waited for.
  private final class ParsedBatch: @unchecked Sendable {
    // @unchecked: written by one task, read only after `DispatchGroup.wait`.
    var items: [(Entry, Result<Statement, StatementError>)?] = []
  }

  /// Entries and statements of a batch of lines, parsed on all cores (nil: unreadable line).
  static func parseLines(_ lines: [ArraySlice<UInt8>]) -> [(Entry, Result<Statement, StatementError>)?] {
    let count = lines.count
    let results = UnsafeMutableBufferPointer<(Entry, Result<Statement, StatementError>)?>.allocate(capacity: max(count, 1))
    results.initialize(repeating: nil)
    defer {
      results.deinitialize()
      results.deallocate()
    }
    nonisolated(unsafe) let shared = results
    let chunk = max(1, count / 16)
    DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        guard let entry = try? Entry(line: Array(lines[index])) else { continue }
        shared[index] = (entry, Result { try Statement(payload: entry.envelope.payload) }.mapError(statementError))
      }
    }
    return Array(results.prefix(count))
  }
}
