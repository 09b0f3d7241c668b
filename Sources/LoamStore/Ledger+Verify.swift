import Dispatch
import Glibc
public import LoamCore
import LoamCrypto
public import LoamVerify
import Synchronization

/// Verification of the whole ledger directory.
extension Ledger {

  public struct Verification: Sendable {
    public private(set) var findings: [Finding]
    public var state: LedgerState
    public var tornTailBytes: Int
    /// Errors found, including any beyond the listed findings (`verify.findings-unlisted`).
    public var errorCount: Int
    /// Where verification resumed from the persisted state (`--since`), or nil when it read the whole log.
    public var resumedAt: UInt64? = nil
    public var isValid: Bool { errorCount == 0 }

    /// Adds findings from further checks (witness cosignatures …), counting their errors.
    public mutating func add(_ more: [Finding]) {
      findings += more
      errorCount += more.filter { $0.severity == .error }.count
    }
  }

  /// Verifies the whole ledger, streaming. `progress` is called with the entries done so far.
  public func verify(options: LogVerifier.Options, progress: ((UInt64) -> Void)? = nil) throws -> Verification {
    // Read the checkpoint first: it is replaced only after the log it covers is on disk, so it
    // never claims more than the log read afterwards.
    let checkpoint = try checkpointBytes()
    let claimed = checkpoint.flatMap { try? Note(parsing: $0) }.flatMap { try? Checkpoint(text: $0.text) }?.size
    var verifier: LogVerifier
    var reader: LogReader
    let lineIndex = LineIndex()
    var resumed: (store: StateStore, meta: StateStore.Meta)? = nil
    if let trusted = options.trusted, let (store, meta) = try resumable(at: trusted) {
      // The derived state sits exactly at the trusted checkpoint: verify only what came after.
      var state = LedgerState(position: meta.position, backing: stateBacking(store))
      state.trace = nil
      var resumedOptions = options
      resumedOptions.trusted = nil
      verifier = LogVerifier(options: resumedOptions, checkpointSize: claimed, resuming: state, keys: store.allKeys())
      reader = try LogReader(path: entriesPath, from: meta.logBytes)
      resumed = (store, meta)
    } else {
      // Corrections read the entry they undo back from the log, so the verifier keeps only a few
      // bytes per entry.
      let file = LineFile(path: entriesPath)
      let index = lineIndex
      var compact = options
      compact.readStatement = { seq in
        guard let location = index.location(seq), let line = file.read(location), let entry = try? Entry(line: line),
          let statement = try? Statement(payload: entry.envelope.payload)
        else { return nil }
        return EntryTable.ReadBack(id: entry.id, statement: statement)
      }
      verifier = LogVerifier(options: compact, checkpointSize: claimed)
      reader = try LogReader(path: entriesPath)
    }
    defer { reader.close() }
    let wholeLog = resumed == nil
    try verifier.verify(
      reading: {
        let start = reader.offset
        let lines = try reader.nextBatch(maximum: 2048)
        // Only a verifier of the whole log reads entries back (seq 0 is the log's first line).
        if wholeLog { lineIndex.append(lines, from: start) }
        return lines
      }, progress: { progress?($0) })
    verifier.finish(checkpoint: checkpoint)
    var findings = verifier.findings
    if reader.tornTail > 0 {
      findings.append(
        Finding(
          seq: verifier.entryCount, entryID: nil, code: "log.torn-tail",
          message:
            "the last \(reader.tornTail) bytes are a line without its newline (an interrupted write); the next append cuts them off",
          severity: .warning))
    }
    if let resumed, verifier.errorCount == 0, reader.tornTail == 0 {
      // Keep the derived state at what was just verified, so the next `--since` resumes from here
      // (only if no writer moved it meanwhile).
      advance(resumed.store, from: resumed.meta, to: verifier.state, logBytes: reader.offset)
    }
    return Verification(
      findings: findings, state: verifier.state, tornTailBytes: reader.tornTail, errorCount: verifier.errorCount,
      resumedAt: resumed?.meta.position.size)
  }

  /// The persisted state, when it is exactly the state of the trusted checkpoint's tree and its
  /// head is the log's line where it says.
  func resumable(at trusted: (size: UInt64, root: SHA256Digest)) throws -> (StateStore, StateStore.Meta)? {
    guard FileIO.exists(statePath), let store = try? StateStore(path: statePath), let meta = store.meta(),
      meta.position.size == trusted.size, meta.position.tree.root == trusted.root,
      try headMatches(meta, logBytes: FileIO.size(ofPath: entriesPath))
    else { return nil }
    return (store, meta)
  }

  /// Catches the derived state (and the trace index with it) up to the log just verified, the way a
  /// writer does; only when the log did not grow meanwhile and no writer holds the lock.
  private func advance(_ store: StateStore, from meta: StateStore.Meta, to state: LedgerState, logBytes: Int) {
    guard state.size > meta.position.size, let lock = try? LedgerLock(path: lockPath, timeout: 0.5) else { return }
    defer { _ = lock }
    guard FileIO.size(ofPath: entriesPath) == logBytes, store.meta()?.logBytes == meta.logBytes else { return }
    _ = try? writerState(logBytes: logBytes)
  }

}

/// Where each line read so far starts: 8 bytes an entry, appended as batches are read and read
/// from the thread that applies them.
final class LineIndex: Sendable {
  private let lines = Mutex<(starts: [UInt64], end: UInt64)>(([], 0))

  func append(_ batch: [ArraySlice<UInt8>], from start: Int) {
    lines.withLock { lines in
      var offset = UInt64(start)
      for line in batch {
        lines.starts.append(offset)
        offset += UInt64(line.count + 1)
      }
      lines.end = offset
    }
  }

  func location(_ seq: UInt64) -> EntryLocation? {
    lines.withLock { lines in
      guard seq < UInt64(lines.starts.count) else { return nil }
      let start = lines.starts[Int(seq)]
      let next = seq + 1 < UInt64(lines.starts.count) ? lines.starts[Int(seq + 1)] : lines.end
      return EntryLocation(offset: Int(start), length: Int(next - start - 1))
    }
  }
}
