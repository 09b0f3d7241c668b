import Dispatch
import Glibc
public import LoamCore
public import LoamCrypto
public import LoamVerify

/// A ledger directory (DESIGN.md, The on-disk ledger): `entries.jsonl` (the log), `checkpoint`
/// (the latest signed note, replaced atomically) and `lock` (the writers' advisory lock).
public final class Ledger: Sendable {
  public let directory: String
  public var entriesPath: String { directory + "/entries.jsonl" }
  public var checkpointPath: String { directory + "/checkpoint" }
  var lockPath: String { directory + "/lock" }
  /// The persisted derived state (rebuildable from the log).
  var statePath: String { directory + "/state.sqlite" }

  /// Seconds a writer waits for another writer to finish (environment `LOAM_LOCK_TIMEOUT`).
  public static var defaultLockTimeout: Double {
    getenv("LOAM_LOCK_TIMEOUT").flatMap { Double(String(cString: $0)) } ?? 10
  }

  /// Opens an existing ledger directory.
  public init(directory: String) throws {
    self.directory = directory
    guard FileIO.isDirectory(directory) else {
      throw StoreError(.notALedger, "no ledger at \(directory): the directory does not exist (create one with `loam init`)")
    }
    guard FileIO.exists(entriesPath) else {
      throw StoreError(.notALedger, "\(directory) is not a ledger: it has no entries.jsonl (create one with `loam init`)")
    }
  }

  private init(creating directory: String) {
    self.directory = directory
  }

  // MARK: Create

  /// Creates a ledger whose entry 0 is the signed `genesis`; the checkpoint is signed with
  /// `logSigner`, which must be the genesis's log key.
  public static func create(directory: String, genesis: DSSEEnvelope, logSigner: NoteSigner, now: Timestamp) throws -> (
    Ledger, Entry
  ) {
    if FileIO.exists(directory) {
      guard FileIO.isDirectory(directory) else { throw StoreError(.exists, "\(directory) exists and is not a directory") }
      guard opendirIsEmpty(directory) else {
        throw StoreError(.exists, "\(directory) is not empty; a new ledger needs a new or empty directory")
      }
    } else if mkdir(directory, 0o755) != 0 {
      throw FileIO.ioError("creating", directory)
    }
    let ledger = Ledger(creating: directory)
    let lock = try LedgerLock(path: ledger.lockPath, timeout: 0)
    let entry = Entry(seq: 0, logged: now, prev: .zero, envelope: genesis)
    var state = LedgerState()
    state.trace = TraceIndex()
    state.trace?.locate(0, EntryLocation(offset: 0, length: entry.line.count))
    let findings = state.apply(
      entry, statement: Result { try Statement(payload: genesis.payload) }.mapError(Self.statementError),
      signatures: trusted(genesis, state: state, batchKeys: genesisKeys(genesis)))
    if let first = findings.first {
      try? removeCreated(ledger)
      throw StoreError(.refused, "the genesis is refused: \(first.message)")
    }
    guard state.logKey?.vkey == logSigner.verifier.vkey else {
      try? removeCreated(ledger)
      throw StoreError(.invalidInput, "the log key does not match the genesis's logKey \(state.logKey?.vkey ?? "")")
    }
    do {
      try ledger.writeLines([entry.line], expectedSize: 0)
      try ledger.writeCheckpoint(state: state, signer: logSigner)
      try StateStore(path: ledger.statePath).persist(state, headOffset: 0, logBytes: entry.line.count + 1, replaceAll: true)
    } catch {
      try? removeCreated(ledger)
      throw error
    }
    _ = lock
    return (ledger, entry)
  }

  private static func removeCreated(_ ledger: Ledger) throws {
    for path in [
      ledger.entriesPath, ledger.checkpointPath, ledger.checkpointPath + ".tmp", ledger.lockPath, ledger.statePath,
      ledger.statePath + "-wal", ledger.statePath + "-shm",
    ] { unlink(path) }
    rmdir(ledger.directory)
  }

  private static func opendirIsEmpty(_ path: String) -> Bool {
    guard let dir = opendir(path) else { return false }
    defer { closedir(dir) }
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
      if name != "." && name != ".." { return false }
    }
    return true
  }

  static func statementError(_ error: any Error) -> StatementError {
    (error as? StatementError) ?? StatementError("statement.malformed", "\(error)")
  }

  private static func genesisKeys(_ envelope: DSSEEnvelope) -> [String: PublicKey] {
    guard let statement = try? Statement(payload: envelope.payload), case .genesis(let genesis) = statement.body else {
      return [:]
    }
    return Dictionary(genesis.participants.flatMap(\.keys).map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// Checks an envelope's signatures cryptographically against the keys of the state and those
  /// a batch introduces.
  static func trusted(_ envelope: DSSEEnvelope, state: LedgerState, batchKeys: [String: PublicKey]) -> [SignatureResult] {
    LedgerState.checkSignatures(envelope) { state.keys[$0]?.publicKey ?? batchKeys[$0] }
  }

  // MARK: Append

  /// What happened to one submitted envelope.
  public struct Appended: Sendable {
    public var entry: Entry
    /// True when its `ref` was already logged with the same payload: nothing new was written.
    public var duplicate: Bool
  }

  public enum AppendOutcome: Sendable {
    case appended([Appended])
    /// Nothing was written; each finding names the submitted envelope's would-be seq.
    case refused([Finding])
  }

  /// Sequences `envelopes` as one batch (one fsync): all are accepted or none is.
  public func append(
    _ envelopes: [DSSEEnvelope], logSigner: NoteSigner, now: Timestamp, lockTimeout: Double = Ledger.defaultLockTimeout
  ) throws -> AppendOutcome {
    let lock = try LedgerLock(path: lockPath, timeout: lockTimeout)
    defer { _ = lock }
    let originalSize = try recoverTornTail()
    let (store, loaded, _) = try writerState(logBytes: originalSize)
    var state = loaded
    guard state.logKey?.vkey == logSigner.verifier.vkey else {
      throw StoreError(.invalidInput, "the log key given does not match this ledger's log key \(state.logKey?.vkey ?? "(none)")")
    }
    let logged = max(now, state.lastLogged ?? now)
    let prepared = Self.prepare(envelopes, state: state)
    // Signatures are checked a chunk ahead of the state rules, which run in order meanwhile.
    let chunkSize = 2048
    let signatureSlots = SignatureSlots(count: envelopes.count)
    let batchKeys = prepared.first?.keys ?? [:]
    signatureSlots.start(envelopes, keys: batchKeys, range: 0..<min(chunkSize, envelopes.count))
    var results: [Appended] = []
    var lines: [[UInt8]] = []
    var findings: [Finding] = []
    var batchRefs: [String: Int] = [:]
    for (position, envelope) in envelopes.enumerated() {
      if position % chunkSize == 0 {
        signatureSlots.wait()
        let next = min(position + chunkSize, envelopes.count)
        signatureSlots.start(envelopes, keys: batchKeys, range: next..<min(next + chunkSize, envelopes.count))
      }
      var item = prepared[position]
      item.signatures = signatureSlots[position]
      if case .success(let parsed) = item.statement {
        if !item.canonical {
          findings.append(
            Finding(
              seq: state.size, entryID: nil, code: "statement.not-canonical",
              message: "the statement payload is not RFC 8785 canonical JSON (sign it with `loam sign`)"))
          continue
        }
        if let ref = parsed.ref {
          let payloadHash = SHA256.hash(envelope.payload)
          if let earlier = state.refs[ref] {
            if earlier.payloadHash == payloadHash, let entry = try? readEntry(seq: earlier.seq) {
              results.append(Appended(entry: entry, duplicate: true))
              continue
            }
            findings.append(
              Finding(
                seq: state.size, entryID: nil, code: "state.duplicate-ref",
                message: "ref \"\(ref)\" was already used by entry \(earlier.seq) for a different statement"))
            continue
          }
          if let index = batchRefs[ref], SHA256.hash(results[index].entry.envelope.payload) == payloadHash {
            results.append(Appended(entry: results[index].entry, duplicate: true))
            continue
          }
        }
      }
      let entry = Entry(seq: state.size, logged: logged, prev: state.head, envelope: envelope)
      let entryFindings = state.apply(entry, statement: item.statement, signatures: item.signatures).filter {
        $0.severity == .error
      }
      if entryFindings.isEmpty {
        if case .success(let parsed) = item.statement, let ref = parsed.ref { batchRefs[ref] = results.count }
        results.append(Appended(entry: entry, duplicate: false))
        state.trace?.locate(
          entry.seq, EntryLocation(offset: originalSize + lines.reduce(0) { $0 + $1.count + 1 }, length: entry.line.count))
        lines.append(entry.line)
      } else {
        findings += entryFindings
      }
    }
    if !findings.isEmpty { return .refused(findings) }
    if !lines.isEmpty {
      try writeLines(lines, expectedSize: originalSize)
      try writeCheckpoint(state: state, signer: logSigner)
      // The log is on disk; the derived state follows. If this fails it lags and is caught up.
      let headOffset = originalSize + lines.dropLast().reduce(0) { $0 + $1.count + 1 }
      try? store.persist(state, headOffset: headOffset, logBytes: originalSize + lines.reduce(0) { $0 + $1.count + 1 })
    } else if try checkpointLags(state) {
      try writeCheckpoint(state: state, signer: logSigner)
    }
    return .appended(results)
  }

  struct Prepared: @unchecked Sendable {
    var statement: Result<Statement, StatementError> = .failure(StatementError("statement.malformed", "not parsed"))
    var canonical = true
    var signatures: [SignatureResult] = []
    /// The keys the batch's signatures may name (on the first item only).
    var keys: [String: PublicKey] = [:]
  }

  /// Parses the statements and checks the signatures of a batch on all cores. Keys resolve
  /// against the state and the keys the batch itself introduces; the state rules (run in order
  /// afterwards) decide whether each key may sign at that point.
  static func prepare(_ envelopes: [DSSEEnvelope], state: LedgerState) -> [Prepared] {
    let count = envelopes.count
    let buffer = UnsafeMutableBufferPointer<Prepared>.allocate(capacity: count)
    buffer.initialize(repeating: Prepared())
    defer {
      buffer.deinitialize()
      buffer.deallocate()
    }
    nonisolated(unsafe) let shared = buffer
    let chunk = max(1, (count + 15) / 16)
    let chunks = (count + chunk - 1) / chunk
    DispatchQueue.concurrentPerform(iterations: chunks) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        let payload = envelopes[index].payload
        shared[index].statement = Result { try Statement(payload: payload) }.mapError(statementError)
        if case .success(let statement) = shared[index].statement {
          shared[index].canonical = (try? statement.canonicalPayload()) == payload
        }
      }
    }
    var directory: [String: PublicKey] = [:]
    for index in 0..<count {
      if case .success(let parsed) = buffer[index].statement {
        switch parsed.body {
        case .genesis(let genesis): for key in genesis.participants.flatMap(\.keys) { directory[key.keyID] = key }
        case .enroll(let spec): for key in spec.keys { directory[key.keyID] = key }
        case .keys(let change): for key in change.add { directory[key.keyID] = key }
        default: break
        }
      }
      for signature in envelopes[index].signatures where directory[signature.keyID] == nil {
        if let key = state.keys[signature.keyID]?.publicKey { directory[signature.keyID] = key }
      }
    }
    var prepared = Array(buffer)
    if !prepared.isEmpty { prepared[0].keys = directory }
    return prepared
  }

  /// Signature results filled a chunk ahead by a background task, in raw storage: the task
  /// writes only the indices of the next chunk while the caller reads the current one.
  final class SignatureSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<[SignatureResult]>
    private let group = DispatchGroup()

    init(count: Int) {
      slots = .allocate(capacity: max(count, 1))
      slots.initialize(repeating: [])
    }

    deinit {
      slots.deinitialize()
      slots.deallocate()
    }

    /// Checks `range` on all cores in the background.
    func start(_ envelopes: [DSSEEnvelope], keys: [String: PublicKey], range: Range<Int>) {
      guard !range.isEmpty else { return }
      nonisolated(unsafe) let slots = self.slots
      DispatchQueue.global().async(group: group) {
        let chunk = max(1, range.count / 16)
        DispatchQueue.concurrentPerform(iterations: (range.count + chunk - 1) / chunk) { part in
          for index in (range.lowerBound + part * chunk)..<min(range.upperBound, range.lowerBound + (part + 1) * chunk) {
            slots[index] = LedgerState.checkSignatures(envelopes[index]) { keys[$0] }
          }
        }
      }
    }

    func wait() { group.wait() }

    subscript(index: Int) -> [SignatureResult] { slots[index] }
  }

  /// Appends lines with one write and one fsync; on failure the file is cut back to its size.
  private func writeLines(_ lines: [[UInt8]], expectedSize: Int) throws {
    let descriptor = open(entriesPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw FileIO.ioError("opening", entriesPath) }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
    for line in lines {
      bytes += line
      bytes.append(0x0A)
    }
    do {
      try FileIO.writeAll(descriptor, bytes, path: entriesPath)
      try FileIO.fsyncOrThrow(descriptor, path: entriesPath)
    } catch {
      _ = ftruncate(descriptor, off_t(expectedSize))
      _ = fsync(descriptor)
      throw error
    }
    if expectedSize == 0 { try FileIO.syncDirectory(directory) }
  }

  private func writeCheckpoint(state: LedgerState, signer: NoteSigner) throws {
    let checkpoint = Checkpoint(origin: state.origin ?? "", size: state.size, rootHash: state.tree.root)
    let note = try Note(text: checkpoint.text, signatures: [signer.sign(text: checkpoint.text)])
    try FileIO.replaceAtomically(checkpointPath, directory: directory, with: Array(note.serialized.utf8))
  }

  private func checkpointLags(_ state: LedgerState) throws -> Bool {
    guard let text = try FileIO.readFile(checkpointPath), let note = try? Note(parsing: text),
      let checkpoint = try? Checkpoint(text: note.text)
    else { return true }
    return checkpoint.size != state.size || checkpoint.rootHash != state.tree.root
  }

  /// Cuts off a last line left without its newline by a crash; returns the log's size.
  private func recoverTornTail() throws -> Int {
    let descriptor = open(entriesPath, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileIO.ioError("opening", entriesPath) }
    defer { close(descriptor) }
    let size = FileIO.size(of: descriptor)
    guard size > 0 else { return 0 }
    let window = min(size, 256 * 1024)
    var tail = [UInt8](repeating: 0, count: window)
    let count = tail.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, window, off_t(size - window)) }
    guard count == window else { throw FileIO.ioError("reading", entriesPath) }
    if tail.last == 0x0A { return size }
    let keep = tail.lastIndex(of: 0x0A).map { size - window + $0 + 1 } ?? 0
    guard ftruncate(descriptor, off_t(keep)) == 0 else { throw FileIO.ioError("repairing", entriesPath) }
    try FileIO.fsyncOrThrow(descriptor, path: entriesPath)
    return keep
  }

  // MARK: Read

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
  private func headMatches(_ meta: StateStore.Meta, logBytes: Int) throws -> Bool {
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
    while true {
      let before = reader.offset
      let lines = try reader.nextBatch(maximum: 4096)
      if lines.isEmpty { break }
      // Parse on all cores, apply in order.
      let parsed = Self.parseLines(lines)
      var lineStart = before
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
    }
    return lastStart
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

  /// Visits every complete entry line in order (a torn last line is skipped).
  public func forEachLine(_ body: (UInt64, ArraySlice<UInt8>) throws -> Bool) throws {
    var reader = try LogReader(path: entriesPath)
    defer { reader.close() }
    var seq: UInt64 = 0
    while true {
      let lines = try reader.nextBatch(maximum: 4096)
      if lines.isEmpty { return }
      for line in lines {
        if try !body(seq, line) { return }
        seq += 1
      }
    }
  }

  /// The entry at `seq`, or nil.
  public func readEntry(seq target: UInt64) throws -> Entry? {
    var found: Entry? = nil
    try forEachLine { seq, line in
      if seq == target {
        found = try Entry(line: Array(line))
        return false
      }
      return true
    }
    return found
  }

  /// Reads entries back by seq: directly at their recorded place when the state has a trace
  /// index (the line is re-hashed against nothing here: callers that need proof verify), else by
  /// scanning.
  public func entryReader(for state: LedgerState) -> (UInt64) -> Entry? {
    let path = entriesPath
    return { [self] seq in
      if let location = state.trace?.locations[seq] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var line = [UInt8](repeating: 0, count: location.length)
        let count = line.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, location.length, off_t(location.offset)) }
        if count == location.length, let entry = try? Entry(line: line), entry.seq == seq { return entry }
      }
      return try? readEntry(seq: seq)
    }
  }

  /// Rebuilds the derived state and trace index from the log (under the writers' lock).
  /// Returns the number of entries indexed.
  public func reindex(lockTimeout: Double = Ledger.defaultLockTimeout) throws -> UInt64 {
    let lock = try LedgerLock(path: lockPath, timeout: lockTimeout)
    defer { _ = lock }
    let size = try recoverTornTail()
    for suffix in ["", "-wal", "-shm"] { unlink(statePath + suffix) }
    let (_, state, _) = try writerState(logBytes: size)
    return state.size
  }

  /// The current checkpoint note's bytes.
  public func checkpointBytes() throws -> [UInt8]? { try FileIO.readFile(checkpointPath) }

  // MARK: Verify

  public struct Verification: Sendable {
    public var findings: [Finding]
    public var state: LedgerState
    public var tornTailBytes: Int
    public var isValid: Bool { !findings.contains { $0.severity == .error } }
  }

  /// Verifies the whole ledger, streaming. `progress` is called with the entries done so far.
  public func verify(options: LogVerifier.Options, progress: ((UInt64) -> Void)? = nil) throws -> Verification {
    // Read the checkpoint first: it is replaced only after the log it covers is on disk, so it
    // never claims more than the log read afterwards.
    let checkpoint = try checkpointBytes()
    let claimed = checkpoint.flatMap { try? Note(parsing: $0) }.flatMap { try? Checkpoint(text: $0.text) }?.size
    var verifier = LogVerifier(options: options, checkpointSize: claimed)
    var reader = try LogReader(path: entriesPath)
    defer { reader.close() }
    while true {
      let lines = try reader.nextBatch(maximum: 2048)
      if lines.isEmpty { break }
      verifier.verify(lines: lines)
      progress?(verifier.entryCount)
    }
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
    return Verification(findings: findings, state: verifier.state, tornTailBytes: reader.tornTail)
  }
}
