import Dispatch
public import LoamCore
public import LoamCrypto

/// Verifies a log fed to it in batches of lines, in order: every line parses and is canonical,
/// the chain holds, every signature verifies with a key of the actor valid at that entry, the
/// actor may make the statement, and the state rules hold (DESIGN.md, Verification).
///
/// Each batch is parsed and its signatures checked on all cores while the previous batch's
/// state rules run in log order, so findings come out in log order and the cores stay busy.
/// Pure: the caller reads the files.
public struct LogVerifier: Sendable {
  public struct Options: Sendable {
    /// Also reject statement payloads that are not RFC 8785 canonical.
    public var strict = false
    /// Threads for parsing and signatures.
    public var threads = 2
    /// A checkpoint verified before (`loam verify --since`): the log's first `size` entries must be
    /// the ones its root commits to, and their signatures are not checked again (every other rule
    /// still runs over them, to rebuild the state that the later entries are checked against).
    public var trusted: (size: UInt64, root: SHA256Digest)?
    /// Reads an earlier entry's statement back by seq. With it, the verifier keeps a few bytes per
    /// accepted entry instead of its whole record, and recomputes what an entry changed when a
    /// correction undoes it (the memory of a long log's verification; see `EntryTable`).
    public var readStatement: EntryTable.StatementReader?
    public init(
      strict: Bool = false, threads: Int = 2, trusted: (size: UInt64, root: SHA256Digest)? = nil,
      readStatement: EntryTable.StatementReader? = nil
    ) {
      self.strict = strict
      self.threads = max(1, threads)
      self.trusted = trusted
      self.readStatement = readStatement
    }
  }

  private let preparer: BatchPreparer
  private let applier: StateApplier

  public init(options: Options = Options(), checkpointSize: UInt64? = nil) {
    preparer = BatchPreparer(options: options)
    applier = StateApplier(checkpointSize: checkpointSize, trusted: options.trusted)
    if let reader = options.readStatement { applier.state = LedgerState(readingStatements: reader) }
  }

  /// Resumes after `state` (the state of the log's first `state.size` entries, verified before):
  /// the lines given next are the entries after it. `keys` are every key the state knows.
  public init(options: Options = Options(), checkpointSize: UInt64? = nil, resuming state: LedgerState, keys: [String: PublicKey])
  {
    preparer = BatchPreparer(options: options, keys: keys, firstSeq: state.size)
    applier = StateApplier(checkpointSize: checkpointSize, trusted: options.trusted)
    applier.state = state
  }

  /// The state after every batch given so far has been applied (call `finish` first).
  public var state: LedgerState { applier.state }
  public var findings: [Finding] { applier.findings }
  /// Entries whose state rules have run.
  public var entryCount: UInt64 { applier.state.size }
  public var errorCount: Int { applier.errorCount }

  /// Verifies the log's lines, which `next` gives batch by batch (each line without its newline;
  /// an empty batch ends the log). `progress` is called with the entries done after each batch.
  ///
  /// Helper threads parse the next batch and check its signatures while this thread applies the
  /// state rules to the batch before, reads the batch after, and then joins in. So the cores do
  /// not wait for each other at a batch's end, only for its last few lines. A batch's signatures
  /// are checked with the keys named before it; the few by a key the batch names itself, once
  /// the batch is parsed.
  public mutating func verify(reading next: () throws -> [ArraySlice<UInt8>], progress: (UInt64) -> Void = { _ in }) throws {
    var lines = try next()
    guard !lines.isEmpty else { return }
    let first = preparer.begin(lines)
    first.share(helpers: preparer.helpers).wait()
    var current = preparer.finish(first)
    lines = try next()
    while true {
      let following = lines.isEmpty ? nil : preparer.begin(lines)
      let helping = following?.start(helpers: preparer.helpers)
      applier.apply(current)
      // Freed here, while the helpers work.
      current = PreparedBatch(items: [])
      progress(entryCount)
      guard let following, let helping else { return }
      let read = Result { try next() }
      following.work()
      helping.wait()
      current = preparer.finish(following)
      lines = try read.get()
    }
  }

  /// Checks the signed checkpoint against the log and the genesis's log key (after `verify`). A
  /// checkpoint that covers fewer entries than the log is a warning; one that claims more is a
  /// finding.
  public mutating func finish(checkpoint text: [UInt8]?) {
    applier.finish(checkpoint: text)
  }
}

/// One batch, parsed and with its signatures checked.
struct PreparedBatch: @unchecked Sendable {
  // @unchecked: built by the threads of a `BatchWork`, then read by the one that applies it.
  struct Item {
    var entry: Entry?
    var entryError: String?
    var leafHash = SHA256Digest.zero
    var statement: Result<Statement, StatementError> = .failure(StatementError("statement.malformed", "not parsed"))
    var canonical = true
    var signatures: [SignatureResult] = []
    var signaturesChecked = false
    var newKeys: [PublicKey] = []
  }
  var items: [Item]
}

/// Begins and finishes batches, remembering every key the log has named.
final class BatchPreparer: @unchecked Sendable {
  // @unchecked: used by one thread at a time (the caller of `LogVerifier.verify`).
  let options: LogVerifier.Options
  private var keyDirectory: [String: PublicKey] = [:]
  /// Seq of the first line of the next batch.
  private var nextSeq: UInt64 = 0
  /// Threads that help the calling one.
  var helpers: Int { options.threads - 1 }

  init(options: LogVerifier.Options, keys: [String: PublicKey] = [:], firstSeq: UInt64 = 0) {
    self.options = options
    keyDirectory = keys
    nextSeq = firstSeq
  }

  /// The work of preparing the batch after every batch begun so far, with the keys they named.
  func begin(_ lines: [ArraySlice<UInt8>]) -> BatchWork {
    defer { nextSeq += UInt64(lines.count) }
    return BatchWork(
      lines: lines, first: nextSeq, keys: keyDirectory, strict: options.strict, trustedSize: options.trusted?.size ?? 0)
  }

  /// The batch, once every line of `work` is done: learns the keys it names, then checks the
  /// signatures by them (on all cores too: a batch that enrols participants can hold thousands
  /// of their entries).
  func finish(_ work: BatchWork) -> PreparedBatch {
    let slots = work.slots
    for index in slots.indices {
      for key in slots[index].newKeys { keyDirectory[key.keyID] = key }
    }
    let directory = keyDirectory
    let pending = slots.indices.filter { !slots[$0].signaturesChecked && slots[$0].entry != nil }
    if !pending.isEmpty {
      let chunk = max(1, (pending.count + options.threads * 64 - 1) / (options.threads * 64))
      DispatchQueue.concurrentPerform(iterations: (pending.count + chunk - 1) / chunk) { part in
        for index in pending[(part * chunk)..<min(pending.count, (part + 1) * chunk)] {
          work.checkPending(index, keys: directory)
        }
      }
    }
    return PreparedBatch(items: work.take())
  }
}

/// One batch being prepared: its lines are claimed a few at a time by whichever threads call
/// `work()`, each parsed and its signatures checked with the keys named before the batch.
final class BatchWork: @unchecked Sendable {
  // @unchecked: each slot is written by the one thread that claimed it (`ChunkClaims`), and
  // read only after every thread has returned from `work()`.
  let lines: [ArraySlice<UInt8>]
  let first: UInt64
  let keys: [String: PublicKey]
  let strict: Bool
  let trustedSize: UInt64
  let slots: UnsafeMutableBufferPointer<PreparedBatch.Item>
  /// Eight lines at a time.
  private let claims: ChunkClaims
  private var taken = false

  init(lines: [ArraySlice<UInt8>], first: UInt64, keys: [String: PublicKey], strict: Bool, trustedSize: UInt64) {
    self.lines = lines
    self.first = first
    self.keys = keys
    self.strict = strict
    self.trustedSize = trustedSize
    claims = ChunkClaims(count: lines.count, chunk: 8)
    slots = .allocate(capacity: max(1, lines.count))
    slots.initialize(repeating: PreparedBatch.Item())
  }

  deinit {
    if !taken { slots.deinitialize() }
    slots.deallocate()
  }

  /// Starts `helpers` threads on the work.
  func start(helpers: Int) -> DispatchGroup {
    let group = DispatchGroup()
    for _ in 0..<max(0, helpers) { DispatchQueue.global().async(group: group) { self.work() } }
    return group
  }

  /// Starts `helpers` threads and works on this one too, until no line is left to claim.
  func share(helpers: Int) -> DispatchGroup {
    let group = start(helpers: helpers)
    work()
    return group
  }

  func work() {
    claims.forEachClaimed { range in
      for index in range { slots[index] = prepare(index) }
    }
  }

  /// The items, moved out (once, after every line is done).
  func take() -> [PreparedBatch.Item] {
    taken = true
    return [PreparedBatch.Item](unsafeUninitializedCapacity: lines.count) { buffer, count in
      if lines.count > 0 { buffer.baseAddress!.moveInitialize(from: slots.baseAddress!, count: lines.count) }
      count = lines.count
    }
  }

  private func prepare(_ index: Int) -> PreparedBatch.Item {
    var item = PreparedBatch.Item()
    do {
      let entry = try Entry(line: Array(lines[index]))
      item.leafHash = entry.id
      item.canonical = entry.isCanonical
      let statement = Result { try Statement(payload: entry.envelope.payload) }.mapError {
        ($0 as? StatementError) ?? StatementError("statement.malformed", "\($0)")
      }
      if strict, case .success = statement, !JCS.isCanonical(entry.envelope.payload) {
        item.statement = .failure(StatementError("statement.not-canonical", "the payload is not RFC 8785 canonical JSON"))
      } else {
        item.statement = statement
      }
      if case .success(let statement) = statement { item.newKeys = statement.body.introducedKeys }
      if let checked = signatures(entry, index: index, keys: keys) {
        item.signatures = checked
        item.signaturesChecked = true
      }
      item.entry = entry
    } catch {
      item.entryError = "\(error)"
      item.leafHash = MerkleHash.leaf(lines[index])
    }
    return item
  }

  /// The signatures of the line at `index` by keys this batch names itself (`keys`: every key named so far).
  func checkPending(_ index: Int, keys: [String: PublicKey]) {
    let entry = slots[index].entry!
    if let checked = signatures(entry, index: index, keys: keys) {
      slots[index].signatures = checked
    } else if first + UInt64(index) < trustedSize {
      slots[index].signatures = entry.envelope.signatures.map {
        SignatureResult(keyID: $0.keyID, valid: keys[$0.keyID].map { _ in true })
      }
    } else {
      // Some key is unknown even now: the rules report it (sig.unknown-key).
      slots[index].signatures = LedgerState.checkSignatures(entry.envelope) { keys[$0] }
    }
  }

  /// Nil when some signature is by a key not in `keys`.
  private func signatures(_ entry: Entry, index: Int, keys: [String: PublicKey]) -> [SignatureResult]? {
    guard entry.envelope.signatures.allSatisfy({ keys[$0.keyID] != nil }) else { return nil }
    if first + UInt64(index) < trustedSize {
      // Covered by the trusted checkpoint: signed as the log says (the root is checked instead).
      return entry.envelope.signatures.map { SignatureResult(keyID: $0.keyID, valid: true) }
    }
    return LedgerState.checkSignatures(entry.envelope) { keys[$0] }
  }
}

/// Runs the state rules in log order and collects findings.
final class StateApplier: @unchecked Sendable {
  // @unchecked: used by one thread at a time (batches are applied one after another).
  var state = LedgerState()
  private(set) var findings: [Finding] = []
  /// Errors found, listed or not.
  private(set) var errorCount = 0
  /// Findings beyond `maximumFindings`, counted but not kept: a hostile log of millions of bad
  /// lines must not need memory in proportion.
  private(set) var unlisted = 0
  static let maximumFindings = 1000

  private func record(_ finding: Finding) {
    if finding.severity == .error { errorCount += 1 }
    if findings.count < Self.maximumFindings {
      findings.append(finding)
    } else {
      unlisted += 1
    }
  }
  /// The root of the tree at the size the checkpoint claims, once the log reaches it.
  private var checkpointRoot: (size: UInt64, root: SHA256Digest?)?

  /// The trusted checkpoint of `verify --since`, until the log reaches its size.
  private var trusted: (size: UInt64, root: SHA256Digest)?

  init(checkpointSize: UInt64?, trusted: (size: UInt64, root: SHA256Digest)? = nil) {
    if let checkpointSize { checkpointRoot = (checkpointSize, checkpointSize == 0 ? MerkleHash.empty : nil) }
    self.trusted = trusted
  }

  func apply(_ batch: PreparedBatch) {
    // The items are read in place: a copy of each would retain (and release) all it holds.
    batch.items.withUnsafeBufferPointer { items in
      for index in items.indices { apply(items.baseAddress! + index) }
    }
  }

  private func apply(_ item: UnsafePointer<PreparedBatch.Item>) {
    // One unwrap: each `entry!` would copy the entry again.
    guard let entry = item.pointee.entry else {
      // An unreadable line still occupies its place in the chain: it breaks the next prev.
      record(
        Finding(
          seq: state.size, entryID: item.pointee.leafHash, code: "entry.malformed",
          message: item.pointee.entryError ?? "unreadable line"))
      state.skip(unreadableEntryID: item.pointee.leafHash)
      noteCheckpointRoot()
      return
    }
    if !item.pointee.canonical {
      record(
        Finding(
          seq: state.size, entryID: entry.id, code: "entry.not-canonical",
          message: "the entry line is not RFC 8785 canonical JSON"))
    }
    let position = state.size
    let entryFindings = state.apply(entry, statement: item.pointee.statement, signatures: item.pointee.signatures)
    entryFindings.forEach(record)
    if entryFindings.isEmpty, case .success(let statement) = item.pointee.statement {
      noteKeyUse(statement, entry: entry, seq: position, signatures: item.pointee.signatures)
    }
    noteCheckpointRoot()
  }

  /// When each key signed: every accepted signature, delta-encoded (`KeyUses`).
  private var keyUse = KeyUses()

  /// Remembers who signed what, and reports entries that a revocation with a `from` in the past
  /// now covers: they stay in the log, valid when they were appended, but suspect.
  private func noteKeyUse(_ statement: Statement, entry: Entry, seq: UInt64, signatures: [SignatureResult]) {
    for signature in signatures { keyUse.record(signature.keyID, seq: seq, logged: entry.logged) }
    guard case .keys(let change) = statement.body else { return }
    for revocation in change.revoke where revocation.from < entry.logged {
      for use in keyUse.uses(of: revocation.keyID) where use.seq < seq && use.logged >= revocation.from {
        record(
          Finding(
            seq: use.seq, entryID: nil, code: "sig.revoked-retroactively",
            message:
              "signed by key \(revocation.keyID.prefix(12))…, which entry \(seq) revoked from \(revocation.from); valid when appended, but suspect: correct it if it was forged",
            severity: .warning))
      }
    }
  }

  private func noteCheckpointRoot() {
    if let checkpoint = checkpointRoot, checkpoint.root == nil, state.size == checkpoint.size {
      checkpointRoot = (checkpoint.size, state.tree.root)
    }
    if let trusted, state.size == trusted.size {
      if state.tree.root != trusted.root {
        record(
          Finding(
            seq: trusted.size - 1, entryID: nil, code: "since.inconsistent",
            message:
              "the log's first \(trusted.size) entries have root \(state.tree.root.hex.prefix(16))…, not the trusted checkpoint's \(trusted.root.hex.prefix(16))…: history was rewritten since it"
          ))
      }
      self.trusted = nil
    }
  }

  func finish(checkpoint text: [UInt8]?) {
    defer {
      // Retroactive warnings are found late; keep the report in log order (checkpoint last).
      let indexed = findings.enumerated().map { ($0.offset, $0.element) }
      findings = indexed.sorted { a, b in
        switch (a.1.seq, b.1.seq) {
        case (let x?, let y?): x != y ? x < y : a.0 < b.0
        case (nil, nil): a.0 < b.0
        case (nil, _): false
        case (_, nil): true
        }
      }.map(\.1)
      if unlisted > 0 {
        findings.append(
          Finding(
            seq: nil, entryID: nil, code: "verify.findings-unlisted",
            message:
              "\(unlisted) more findings are not listed (only the first \(Self.maximumFindings) are); fix those and verify again",
            severity: .warning))
      }
    }
    func problem(_ code: String, _ message: String, _ severity: Finding.Severity = .error) {
      if severity == .error { errorCount += 1 }
      findings.append(Finding(seq: nil, entryID: nil, code: code, message: message, severity: severity))
    }
    if let trusted, trusted.size > state.size {
      problem(
        "since.rolled-back",
        "the trusted checkpoint covers \(trusted.size) entries but the log has \(state.size): it was truncated or rolled back")
    }
    if state.size == 0 {
      problem("log.empty", "the log has no entries")
      return
    }
    guard let text else {
      problem("checkpoint.missing", "there is no checkpoint file", .warning)
      return
    }
    guard let logKey = state.logKey else {
      problem("checkpoint.unverifiable", "the log has no valid genesis, so the checkpoint's key is unknown")
      return
    }
    let checkpoint: Checkpoint
    do {
      let note = try Note(parsing: text)
      _ = try note.verify([logKey])
      checkpoint = try Checkpoint(text: note.text)
    } catch {
      problem("checkpoint.invalid", "the checkpoint does not verify with the genesis log key \(logKey.vkey): \(error)")
      return
    }
    if checkpoint.origin != state.origin {
      problem("checkpoint.origin-mismatch", "the checkpoint's origin \(checkpoint.origin) is not the log's \(state.origin ?? "")")
    }
    if checkpoint.size > state.size {
      problem(
        "checkpoint.ahead",
        "the checkpoint claims \(checkpoint.size) entries but the log holds \(state.size): entries were removed")
      return
    }
    let root =
      checkpoint.size == state.size ? state.tree.root : (checkpointRoot?.size == checkpoint.size ? checkpointRoot?.root : nil)
    guard let root else {
      problem("checkpoint.unchecked", "the checkpoint's root at size \(checkpoint.size) was not computed", .warning)
      return
    }
    if root != checkpoint.rootHash {
      problem(
        "checkpoint.root-mismatch",
        "the checkpoint's root for \(checkpoint.size) entries does not match the log: an entry up to \(checkpoint.size - 1) was changed"
      )
    } else if checkpoint.size < state.size {
      problem(
        "checkpoint.lagging",
        "the checkpoint covers \(checkpoint.size) of \(state.size) entries (it is re-derived on the next append)",
        .warning)
    }
  }
}
