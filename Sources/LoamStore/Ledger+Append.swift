import Dispatch
import Glibc
public import LoamCore
public import LoamCrypto
import LoamVerify
import Synchronization

/// Appending: one batch, one lock, one write and fsync, then the checkpoint and the derived state.
extension Ledger {

  /// What happened to one submitted envelope.
  public struct Appended: Sendable {
    public var entry: Entry
    /// True when its `ref` was already logged with the same payload: nothing new was written.
    public var duplicate: Bool
  }

  /// The most statements one batch (one `append`, however many runs) may hold: a batch is checked
  /// and written whole, so it is held in memory whole (Ledger/FORMAT.md, Limits).
  public static let maximumBatch = 250_000

  /// Whether `append` checks the envelopes' signatures.
  public enum SignatureCheck: Sendable, Equatable {
    /// Every signature is verified: envelopes from anywhere (`loam submit`).
    case verify
    /// The caller signed these envelopes itself, in this process, with keys it holds (`loam import
    /// epcis`): verifying them again proves nothing new, so each signature is taken as made. The rules
    /// still require every signing key to be a key of the actor valid at that entry, and `loam verify`
    /// checks every signature of the log.
    case signedHere
  }

  /// An envelope to append, with the statement it signs when the caller made both (`signedHere`):
  /// the append then takes that statement as the payload's parse instead of parsing it again. With
  /// `.verify`, the statement is not used: the payload is parsed.
  public struct Submission: Sendable {
    public var envelope: DSSEEnvelope
    public var statement: Statement?
    public init(_ envelope: DSSEEnvelope, statement: Statement? = nil) {
      self.envelope = envelope
      self.statement = statement
    }
  }

  public enum AppendOutcome: Sendable {
    case appended([Appended])
    /// Nothing was written; each finding names the submitted envelope's would-be seq.
    case refused([Finding])
  }

  /// Sequences `envelopes` as one batch (one fsync): all are accepted or none is.
  ///
  /// `next`, when given, is asked for more envelopes (`Submission`s) after each run, with the
  /// entries that run made (one per envelope, in order; a duplicate's is the entry logged before),
  /// so a statement can name an entry of the same batch by id (a `receive` its `ship`). Runs
  /// continue until it returns nil; the whole batch is still written once, or not at all. It may
  /// be called on another thread, with the entries the run makes if the rules accept all of it,
  /// while the rules are still being checked: a run they refuse refuses the batch, and what `next`
  /// returned is then dropped.
  public func append(
    _ envelopes: [DSSEEnvelope], logSigner: NoteSigner, now: Timestamp, lockTimeout: Double = Ledger.defaultLockTimeout,
    signatures check: SignatureCheck = .verify, next: (([Appended]) throws -> [Submission]?)? = nil
  ) throws -> AppendOutcome {
    try append(
      logSigner: { _ in logSigner }, now: now, lockTimeout: lockTimeout, signatures: check, first: { _ in envelopes },
      next: next)
  }

  /// Sequences the envelopes `first` makes from the state under the lock (a statement whose actor
  /// is found from its key, say), as one batch like `append(_:…)`. `logSigner` is given the log's
  /// origin from that state, so nothing reads the genesis again. One open of the derived state
  /// serves the whole append.
  public func append(
    logSigner: (_ origin: String) throws -> NoteSigner, now: Timestamp, lockTimeout: Double = Ledger.defaultLockTimeout,
    signatures check: SignatureCheck = .verify, first: (LedgerState) throws -> [DSSEEnvelope],
    next: (([Appended]) throws -> [Submission]?)? = nil
  ) throws -> AppendOutcome {
    let lock = try LedgerLock(path: lockPath, timeout: lockTimeout)
    defer { _ = lock }
    let originalSize = try recoverTornTail()
    let (store, loaded, _) = try writerState(logBytes: originalSize)
    // Rows staged for a large batch and not committed are rolled back whatever way this returns.
    defer { store.abandonStaging() }
    var state = loaded
    let logSigner = try logSigner(state.origin ?? "")
    guard state.logKey?.vkey == logSigner.verifier.vkey else {
      throw StoreError(.invalidInput, "the log key given does not match this ledger's log key \(state.logKey?.vkey ?? "(none)")")
    }
    let logged = max(now, state.lastLogged ?? now)
    var results: [Appended] = []
    var lines: [[UInt8]] = []
    var pendingBytes = 0  // bytes of `lines`, newlines included
    var findings: [Finding] = []
    var batchRefs: [String: Int] = [:]
    var run: [Submission]? = try first(state).map { Submission($0) }
    // The next run, being made on another thread while the rules check this one.
    var nextAhead: (() throws -> [Submission]?)? = nil
    defer { _ = try? nextAhead?() }  // it never outlives the append
    nonisolated(unsafe) let makeNext = next
    while let submissions = run, findings.isEmpty {
      let envelopes = submissions.map(\.envelope)
      let statements = check == .signedHere ? submissions.map(\.statement) : nil
      guard results.count + envelopes.count <= Self.maximumBatch else {
        throw StoreError(
          .invalidInput,
          "a batch may hold at most \(Self.maximumBatch) statements (this one has more); submit it in several parts")
      }
      // Room for the run, growing at least twofold: a batch of many small runs (an import's) must
      // not copy its results at every run.
      if results.capacity < results.count + envelopes.count {
        results.reserveCapacity(max(results.count + envelopes.count, 2 * results.capacity))
      }
      if lines.capacity < lines.count + envelopes.count {
        lines.reserveCapacity(max(lines.count + envelopes.count, 2 * lines.capacity))
      }
      if envelopes.count > 64 { state.reserveCapacity(entries: min(envelopes.count, tuning.stagedRows + 1)) }
      let prepared = Self.prepare(envelopes, state: state, checkCanonical: check == .verify, statements: statements)
      // Signatures are checked ahead of the state rules, which run in order meanwhile.
      let signatureSlots = SignatureSlots(
        envelopes, keys: prepared.keys, check: check, chunk: tuning.signatureChunk)
      defer { signatureSlots.stop() }
      let runStart = results.count
      // The run's entries are worked out first when a next run depends on them: it is made on
      // another thread meanwhile (an import's runs are a few statements each, between a shipment
      // and its receipt).
      let ahead = next == nil ? nil : sequenceAhead(envelopes, prepared, state: state, logged: logged, batchRefs: batchRefs)
      if let ahead {
        let appended = ahead.appended
        nextAhead = Self.elsewhere { try makeNext?(appended) }
      }
      for (position, envelope) in envelopes.enumerated() {
        if findings.isEmpty, state.entries.changes.count >= tuning.stagedRows {
          // While the other cores check signatures, this thread writes the rows so far into the
          // derived state's open transaction.
          do {
            try store.stage(state)
          } catch {
            throw StoreError(.io, "the derived state \(statePath) could not be written (\(error)); nothing was appended")
          }
          state.markPersisted()
        }
        let signatures = signatureSlots[position]
        let statement = prepared.items[position].statement
        if case .success(let parsed) = statement {
          if !prepared.items[position].canonical {
            findings.append(
              Finding(
                seq: state.size, entryID: nil, code: "statement.not-canonical",
                message: "the statement payload is not RFC 8785 canonical JSON (sign it with `loam sign`)"))
            continue
          }
          if let ref = parsed.ref {
            // A ref of this batch first: its entry is not on disk yet, so it is not read back.
            if let index = batchRefs[ref] {
              if results[index].entry.envelope.payload == envelope.payload {
                results.append(Appended(entry: results[index].entry, duplicate: true))
                continue
              }
              findings.append(
                Finding(
                  seq: state.size, entryID: nil, code: "state.duplicate-ref",
                  message:
                    "ref \"\(ref)\" is used by entry \(results[index].entry.seq) of this batch for a different statement"))
              continue
            }
            if let earlier = ahead.map({ $0.refs[position] }) ?? state.refs[ref] {
              if earlier.payloadHash == SHA256.hash(envelope.payload),
                let entry = ahead.flatMap({ $0.entries[position] }) ?? entryReader(for: state)(earlier.seq)
              {
                results.append(Appended(entry: entry, duplicate: true))
                continue
              }
              findings.append(
                Finding(
                  seq: state.size, entryID: nil, code: "state.duplicate-ref",
                  message: "ref \"\(ref)\" was already used by entry \(earlier.seq) for a different statement"))
              continue
            }
          }
        }
        let entry =
          ahead.flatMap { ahead in ahead.entries[position].flatMap { $0.seq == state.size && $0.prev == state.head ? $0 : nil } }
          ?? Entry(seq: state.size, logged: logged, prev: state.head, envelope: envelope, head: prepared.takeLineHead(position))
        let entryFindings = state.apply(entry, statement: statement, signatures: signatures).filter {
          $0.severity == .error
        }
        if entryFindings.isEmpty {
          if case .success(let parsed) = statement, let ref = parsed.ref { batchRefs[ref] = results.count }
          results.append(Appended(entry: entry, duplicate: false))
          state.trace?.locate(entry.seq, EntryLocation(offset: originalSize + pendingBytes, length: entry.line.count))
          pendingBytes += entry.line.count + 1
          lines.append(entry.line)
        } else {
          findings += entryFindings
        }
      }
      if envelopes.count >= 4096 {
        // A large run's parsed statements and signature results are freed on another thread while
        // this one writes the log (for 100,000 entries, ~0.2 s of the time after the checks).
        freeElsewhere((consume prepared, signatureSlots))
      }
      let made = results[runStart...]
      if let ahead, let waiting = nextAhead {
        nextAhead = nil
        if !findings.isEmpty {
          _ = try? waiting()  // refused, so is the batch: what was made ahead goes
          run = nil
        } else if made.elementsEqual(ahead.appended, by: { $0.entry.id == $1.entry.id && $0.duplicate == $1.duplicate }) {
          run = try waiting()
        } else {
          // Cannot happen: accepted whole, a run makes the entries worked out for it. `next` has
          // seen those, so it cannot be asked again.
          _ = try? waiting()
          throw StoreError(
            .refused, "internal error: a run was sequenced otherwise than worked out ahead; nothing was appended")
        }
      } else {
        run = findings.isEmpty ? try next?(Array(made)) : nil
      }
    }
    if !findings.isEmpty { return .refused(findings) }
    if !lines.isEmpty {
      var staged = true
      if lines.count >= 4096 {
        // A large batch's log is written and synced on another thread while this one stages the
        // rows left (~0.3 s each for 100,000 entries); the commit still waits for the log.
        let written = Self.elsewhere { [lines] in try self.writeLines(lines, expectedSize: originalSize) }
        do {
          try store.stage(state)
          state.markPersisted()
        } catch {
          staged = false  // rolled back: the derived state lags and is caught up on the next open
        }
        try written()
      } else {
        try writeLines(lines, expectedSize: originalSize)
      }
      try writeCheckpoint(state: state, signer: logSigner)
      // The log is on disk; the derived state follows. If this fails it lags and is caught up.
      let headOffset = originalSize + pendingBytes - lines[lines.count - 1].count - 1
      if staged { try? store.persist(state, headOffset: headOffset, logBytes: originalSize + pendingBytes) }
    } else if try checkpointLags(state) {
      try writeCheckpoint(state: state, signer: logSigner)
    }
    return .appended(results)
  }

  /// Runs `work` on another thread; the function returned waits for it and returns its result or
  /// rethrows its error (each time it is called).
  static func elsewhere<T: Sendable>(_ work: @escaping @Sendable () throws -> T) -> () throws -> T {
    let group = DispatchGroup()
    let outcome = Mutex<Result<T, any Error>?>(nil)
    DispatchQueue.global().async(group: group) {
      let result = Result { try work() }
      outcome.withLock { $0 = result }
    }
    return {
      group.wait()
      return try outcome.withLock { $0! }.get()
    }
  }

  /// The entries of a run if the rules accept every statement (the only way it is kept), worked
  /// out before they run: per envelope its new entry or the entry its ref already names, and the
  /// ref record looked up. Nil when the run will meet a finding before the rules (a statement
  /// unparsed or not canonical, a ref used twice or for another statement).
  struct Ahead {
    var appended: [Appended] = []
    var refs: [LedgerState.RefRecord?]
    var entries: [Entry?]
  }

  func sequenceAhead(
    _ envelopes: [DSSEEnvelope], _ prepared: PreparedRun, state: LedgerState, logged: Timestamp, batchRefs: [String: Int]
  ) -> Ahead? {
    var ahead = Ahead(refs: Array(repeating: nil, count: envelopes.count), entries: Array(repeating: nil, count: envelopes.count))
    var seq = state.size
    var head = state.head
    var runRefs: Set<String> = []
    for position in envelopes.indices {
      guard case .success(let parsed) = prepared.items[position].statement, prepared.items[position].canonical else {
        return nil
      }
      if let ref = parsed.ref {
        guard batchRefs[ref] == nil, runRefs.insert(ref).inserted else { return nil }
        if let earlier = state.refs[ref] {
          ahead.refs[position] = earlier
          guard earlier.payloadHash == SHA256.hash(envelopes[position].payload),
            let entry = entryReader(for: state)(earlier.seq)
          else { return nil }
          ahead.entries[position] = entry
          ahead.appended.append(Appended(entry: entry, duplicate: true))
          continue
        }
      }
      let entry = Entry(
        seq: seq, logged: logged, prev: head, envelope: envelopes[position], head: prepared.items[position].lineHead)
      ahead.entries[position] = entry
      ahead.appended.append(Appended(entry: entry, duplicate: false))
      seq += 1
      head = entry.id
    }
    return ahead
  }

  struct Prepared: Sendable {
    var statement: Result<Statement, StatementError> = .failure(StatementError("statement.malformed", "not parsed"))
    var canonical = true
    /// The envelope's part of its entry line (`Entry.lineHead`).
    var lineHead: [UInt8] = []
  }

  /// A run's parsed statements, in raw storage that the threads of `prepare` fill in place and
  /// that is read where it lies (a run of 100,000 moved into an array cost 0.1 s, serially).
  final class PreparedRun: @unchecked Sendable {
    // @unchecked: each item is written by one thread of `prepare`, and read only after it returns.
    let items: UnsafeMutableBufferPointer<Prepared>
    /// The keys the run's signatures may name.
    fileprivate(set) var keys: [String: PublicKey] = [:]

    fileprivate init(count: Int) {
      items = .allocate(capacity: max(count, 1))
      items.initialize(repeating: Prepared())
    }

    deinit {
      items.deinitialize()
      items.deallocate()
    }

    /// Item `index`'s line head, moved out: the entry made from it appends its tail in place
    /// instead of copying it (a copy and an allocation per entry).
    func takeLineHead(_ index: Int) -> [UInt8] {
      var head: [UInt8] = []
      swap(&head, &items[index].lineHead)
      return head
    }
  }

  /// Parses the statements of a run on all cores and gathers the keys its signatures may name:
  /// those of the state and those the run itself introduces; the state rules (run in order
  /// afterwards) decide whether each key may sign at that point.
  /// `checkCanonical` false: the payloads are this process's own canonical serializations
  /// (`.signedHere`), so they are not serialized again to compare; nor parsed, where `statements`
  /// gives the statement that was serialized.
  static func prepare(
    _ envelopes: [DSSEEnvelope], state: LedgerState, checkCanonical: Bool = true, statements: [Statement?]? = nil
  ) -> PreparedRun {
    let count = envelopes.count
    let run = PreparedRun(count: count)
    @Sendable func parse(_ indices: Range<Int>) {
      for index in indices {
        let payload = envelopes[index].payload
        run.items[index].lineHead = Entry.lineHead(envelopes[index])
        // The size limit is the payload's, which the given statement does not check.
        if let statement = statements?[index], payload.count <= Statement.maximumPayloadSize {
          run.items[index].statement = .success(statement)
          continue
        }
        run.items[index].statement = Result { try Statement(payload: payload) }.mapError(statementError)
        if checkCanonical, case .success(let statement) = run.items[index].statement {
          run.items[index].canonical = (try? statement.canonicalPayload()) == payload
        }
      }
    }
    if count <= 32 {
      // A short run (a typed append, an import's run between a shipment and its receipt): here,
      // without waking other threads.
      parse(0..<count)
    } else {
      let chunk = max(1, (count + 15) / 16)
      DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
        parse((part * chunk)..<min(count, (part + 1) * chunk))
      }
    }
    var directory: [String: PublicKey] = [:]
    for index in 0..<count {
      if case .success(let parsed) = run.items[index].statement {
        for key in parsed.body.introducedKeys { directory[key.keyID] = key }
      }
      for signature in envelopes[index].signatures where directory[signature.keyID] == nil {
        if let key = state.keys[signature.keyID]?.publicKey { directory[signature.keyID] = key }
      }
    }
    run.keys = directory
    return run
  }

  /// Appends lines with one write and one fsync; on failure the file is cut back to its size.
  func writeLines(_ lines: [[UInt8]], expectedSize: Int) throws {
    let descriptor = open(entriesPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw FileIO.ioError("opening", entriesPath) }
    defer { close(descriptor) }
    // The lines go out through one reused buffer of at most 4 MiB, filled with memcpy: a buffer
    // of the whole batch (66 MB for 100,000 entries) cost more in fresh pages than the copy.
    let longest = lines.reduce(0) { max($0, $1.count + 1) }
    let total = lines.reduce(0) { $0 + $1.count + 1 }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(longest, min(total, 1 << 22)), alignment: 16)
    defer { buffer.deallocate() }
    func writeOut() throws {
      var filled = 0
      for line in lines {
        if filled + line.count + 1 > buffer.count {
          try FileIO.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: buffer[..<filled]), path: entriesPath)
          filled = 0
        }
        line.withUnsafeBytes { source in
          if let base = source.baseAddress { (buffer.baseAddress! + filled).copyMemory(from: base, byteCount: source.count) }
        }
        buffer[filled + line.count] = 0x0A
        filled += line.count + 1
      }
      try FileIO.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: buffer[..<filled]), path: entriesPath)
    }
    do {
      try writeOut()
      try FileIO.fsyncOrThrow(descriptor, path: entriesPath)
    } catch {
      _ = ftruncate(descriptor, off_t(expectedSize))
      _ = fsync(descriptor)
      throw error
    }
    if expectedSize == 0 { try FileIO.syncDirectory(directory) }
  }

  func writeCheckpoint(state: LedgerState, signer: NoteSigner) throws {
    let checkpoint = Checkpoint(origin: state.origin ?? "", size: state.size, rootHash: state.tree.root)
    let note = try Note(text: checkpoint.text, signatures: [signer.sign(text: checkpoint.text)])
    try FileIO.replaceAtomically(checkpointPath, directory: directory, with: Array(note.serialized.utf8))
  }

  func checkpointLags(_ state: LedgerState) throws -> Bool {
    guard let text = try FileIO.readFile(checkpointPath), let note = try? Note(parsing: text),
      let checkpoint = try? Checkpoint(text: note.text)
    else { return true }
    return checkpoint.size != state.size || checkpoint.rootHash != state.tree.root
  }

  /// Cuts off a last line left without its newline by a crash; returns the log's size.
  func recoverTornTail() throws -> Int {
    let descriptor = open(entriesPath, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileIO.ioError("opening", entriesPath) }
    defer { close(descriptor) }
    let size = FileIO.size(of: descriptor)
    guard size > 0 else { return 0 }
    let window = min(size, LogReader.maximumLineLength + 1)
    var tail = [UInt8](repeating: 0, count: window)
    let count = tail.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, window, off_t(size - window)) }
    guard count == window else { throw FileIO.ioError("reading", entriesPath) }
    if tail.last == 0x0A { return size }
    guard let newline = tail.lastIndex(of: 0x0A) ?? (window == size ? -1 : nil) else {
      // Longer than any entry: not an interrupted append, and not ours to cut off.
      throw StoreError(
        .invalidInput,
        "\(entriesPath) ends with over \(LogReader.maximumLineLength) bytes without a newline; that is no interrupted append, so nothing was cut: inspect the file's end"
      )
    }
    let keep = size - window + newline + 1
    guard ftruncate(descriptor, off_t(keep)) == 0 else { throw FileIO.ioError("repairing", entriesPath) }
    try FileIO.fsyncOrThrow(descriptor, path: entriesPath)
    return keep
  }
}
