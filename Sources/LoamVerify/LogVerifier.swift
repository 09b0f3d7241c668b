import Dispatch
public import LoamCore
import LoamCrypto

/// Verifies a log fed to it in batches of lines, in order: every line parses and is canonical,
/// the chain holds, every signature verifies with a key of the actor valid at that entry, the
/// actor may make the statement, and the state rules hold (DESIGN.md, Verification).
///
/// Parsing and signature checks of a batch run on all cores; the state rules run in log order,
/// so findings come out in log order. Pure: the caller reads the files.
public struct LogVerifier: Sendable {
  public struct Options: Sendable {
    /// Also reject statement payloads that are not RFC 8785 canonical.
    public var strict = false
    /// Threads for parsing and signatures.
    public var threads = 2
    public init(strict: Bool = false, threads: Int = 2) {
      self.strict = strict
      self.threads = max(1, threads)
    }
  }

  public private(set) var state = LedgerState()
  public private(set) var findings: [Finding] = []
  /// The root of the tree at the size the checkpoint claims, once the log reaches it.
  private var checkpointRoot: (size: UInt64, root: SHA256Digest?)?
  private var keyDirectory: [String: PublicKey] = [:]
  let options: Options

  public init(options: Options = Options(), checkpointSize: UInt64? = nil) {
    self.options = options
    if let checkpointSize { checkpointRoot = (checkpointSize, checkpointSize == 0 ? MerkleHash.empty : nil) }
  }

  public var entryCount: UInt64 { state.size }
  public var errorCount: Int { findings.filter { $0.severity == .error }.count }

  private struct Parsed: @unchecked Sendable {
    var entry: Entry?
    var entryError: String?
    var statement: Result<Statement, StatementError> = .failure(StatementError("statement.malformed", "not parsed"))
    var canonical = true
    var signatures: [SignatureResult] = []
    /// Keys this statement introduces (genesis, enroll, keys).
    var newKeys: [PublicKey] = []
  }

  /// Verifies the next lines of the log (each without its newline).
  public mutating func verify(lines: [ArraySlice<UInt8>]) {
    let count = lines.count
    guard count > 0 else { return }
    let parsed = UnsafeMutableBufferPointer<Parsed>.allocate(capacity: count)
    parsed.initialize(repeating: Parsed())
    defer {
      parsed.deinitialize()
      parsed.deallocate()
    }
    nonisolated(unsafe) let results = parsed
    let strict = options.strict
    let chunk = max(1, (count + options.threads * 4 - 1) / (options.threads * 4))
    let chunks = (count + chunk - 1) / chunk

    // 1. Parse lines and statements in parallel.
    DispatchQueue.concurrentPerform(iterations: chunks) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        var item = Parsed()
        do {
          let entry = try Entry(line: Array(lines[index]))
          item.entry = entry
          item.canonical = entry.isCanonical
          let statement = Result { () throws(StatementError) -> Statement in
            do { return try Statement(payload: entry.envelope.payload) } catch let error as StatementError { throw error } catch {
              throw StatementError("statement.malformed", "\(error)")
            }
          }
          if strict, case .success = statement, !JCS.isCanonical(entry.envelope.payload) {
            item.statement = .failure(StatementError("statement.not-canonical", "the payload is not RFC 8785 canonical JSON"))
          } else {
            item.statement = statement
          }
          if case .success(let statement) = statement {
            switch statement.body {
            case .genesis(let genesis): item.newKeys = genesis.participants.flatMap(\.keys)
            case .enroll(let spec): item.newKeys = spec.keys
            case .keys(let change): item.newKeys = change.add
            default: break
            }
          }
        } catch {
          item.entryError = "\(error)"
        }
        results[index] = item
      }
    }

    // 2. Every key the log has named so far, and the ones this batch names.
    for index in 0..<count {
      for key in parsed[index].newKeys { keyDirectory[key.keyID] = key }
    }

    // 3. Signatures in parallel.
    let directory = keyDirectory
    DispatchQueue.concurrentPerform(iterations: chunks) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        guard let entry = results[index].entry else { continue }
        results[index].signatures = LedgerState.checkSignatures(entry.envelope) { directory[$0] }
      }
    }

    // 4. State rules in log order.
    for index in 0..<count {
      let item = parsed[index]
      guard let entry = item.entry else {
        // An unreadable line still occupies its place in the chain: it breaks the next prev.
        let seq = state.size
        let id = MerkleHash.leaf(lines[index])
        findings.append(Finding(seq: seq, entryID: id, code: "entry.malformed", message: item.entryError ?? "unreadable line"))
        state.skip(unreadableEntryID: id)
        noteCheckpointRoot()
        continue
      }
      if !item.canonical {
        findings.append(
          Finding(
            seq: state.size, entryID: entry.id, code: "entry.not-canonical",
            message: "the entry line is not RFC 8785 canonical JSON"))
      }
      findings += state.apply(entry, statement: item.statement, signatures: item.signatures)
      noteCheckpointRoot()
    }
  }

  private mutating func noteCheckpointRoot() {
    if let checkpoint = checkpointRoot, checkpoint.root == nil, state.size == checkpoint.size {
      checkpointRoot = (checkpoint.size, state.tree.root)
    }
  }

  /// Checks the signed checkpoint against the log and the genesis's log key. A checkpoint that
  /// covers fewer entries than the log is a warning; one that claims more is a finding.
  public mutating func finish(checkpoint text: [UInt8]?) {
    if state.size == 0 {
      findings.append(Finding(seq: nil, entryID: nil, code: "log.empty", message: "the log has no entries"))
      return
    }
    guard let text else {
      findings.append(
        Finding(seq: nil, entryID: nil, code: "checkpoint.missing", message: "there is no checkpoint file", severity: .warning))
      return
    }
    func problem(_ code: String, _ message: String, _ severity: Finding.Severity = .error) {
      findings.append(Finding(seq: nil, entryID: nil, code: code, message: message, severity: severity))
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
        "the checkpoint covers \(checkpoint.size) of \(state.size) entries (it is re-derived on the next append)", .warning)
    }
  }
}
