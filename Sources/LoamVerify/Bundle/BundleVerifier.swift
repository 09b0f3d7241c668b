import Dispatch
public import LoamCore
public import LoamCrypto

/// A bundle that verified: its checkpoint, its entries in log order, and a tracer over them.
public struct VerifiedBundle {
  public var checkpoint: Checkpoint
  public var cosigners: [NoteVerifier]
  public var entries: [(seq: UInt64, entry: Entry, statement: Statement)]
  public var tracer: Tracer
  /// The lot the subject names (the lot a consumer item was sold from).
  public var lot: String
  public var trace: LotTrace
}

/// Verifies a bundle offline: the checkpoint by the log's key (and a quorum of witnesses), every
/// entry's inclusion proof to that checkpoint, every signature by a key its participant held at
/// that entry (from the genesis, enrolments and key changes the bundle carries), and that the
/// subject's trace is complete down to its harvests.
public enum BundleVerifier {
  public static func verify(_ bundle: Bundle, logKey: NoteVerifier, witnesses: [NoteVerifier] = [], quorum: Int = 0)
    throws(BundleError)
    -> VerifiedBundle
  {
    func fail(_ code: String, _ message: String) -> BundleError { BundleError(code: code, message: message) }
    // 1. The checkpoint.
    let note: Note
    let checkpoint: Checkpoint
    let cosigners: [NoteVerifier]
    do {
      note = try Note(parsing: Array(bundle.checkpoint.utf8))
      cosigners = try Witness.cosigners(of: note, logKey: logKey, witnesses: witnesses)
      checkpoint = try Checkpoint(text: note.text)
    } catch {
      throw fail("bundle.checkpoint", "the checkpoint does not verify with the log key \(logKey.vkey): \(error)")
    }
    guard cosigners.count >= quorum else {
      throw fail(
        "bundle.quorum", "\(cosigners.count) of the \(witnesses.count) witnesses cosigned the checkpoint; \(quorum) are required")
    }
    // 2. Each entry is the line at its index of that tree.
    // Proofs and parsing on all cores; the first failure in index order is the one reported.
    let items = bundle.entries.sorted(by: { $0.index < $1.index })
    var seen: Set<UInt64> = []
    for item in items where !seen.insert(item.index).inserted {
      throw fail("bundle.malformed", "entry \(item.index) appears twice")
    }
    let checked = UnsafeMutableBufferPointer<Result<(UInt64, Entry, Statement), BundleError>>.allocate(
      capacity: max(items.count, 1))
    checked.initialize(repeating: .failure(BundleError(code: "bundle.entry", message: "not checked")))
    defer {
      checked.deinitialize()
      checked.deallocate()
    }
    nonisolated(unsafe) let shared = checked
    let chunk = max(1, items.count / 16)
    DispatchQueue.concurrentPerform(iterations: (items.count + chunk - 1) / chunk) { part in
      for position in (part * chunk)..<min(items.count, (part + 1) * chunk) {
        let item = items[position]
        do {
          try MerkleProof.verifyInclusion(
            leaf: MerkleHash.leaf(item.line), index: item.index, size: checkpoint.size, proof: item.proof,
            root: checkpoint.rootHash)
        } catch {
          shared[position] = .failure(
            BundleError(code: "bundle.inclusion", message: "entry \(item.index) is not in the checkpointed log: \(error)"))
          continue
        }
        guard let entry = try? Entry(line: item.line), entry.seq == item.index,
          let statement = try? Statement(payload: entry.envelope.payload)
        else {
          shared[position] = .failure(
            BundleError(code: "bundle.entry", message: "entry \(item.index) is not a readable entry of that index"))
          continue
        }
        shared[position] = .success((item.index, entry, statement))
      }
    }
    var entries: [(seq: UInt64, entry: Entry, statement: Statement)] = []
    entries.reserveCapacity(items.count)
    for result in checked.prefix(items.count) {
      switch result {
      case .success(let (seq, entry, statement)): entries.append((seq, entry, statement))
      case .failure(let error): throw error
      }
    }
    // 3. Signatures, with the key history the bundle carries.
    guard let first = entries.first, first.seq == 0, case .genesis(let genesis) = first.statement.body,
      genesis.logKey == logKey || genesis.logKey.vkey == logKey.vkey
    else {
      throw fail("bundle.incomplete", "the bundle does not carry the log's genesis (entry 0) for this log key")
    }
    struct KeyRecord {
      var key: PublicKey
      var owner: String
      var revokedFrom: Timestamp?
    }
    var keys: [String: KeyRecord] = [:]
    for spec in genesis.participants { for key in spec.keys { keys[key.keyID] = KeyRecord(key: key, owner: spec.id) } }
    let valid = checkSignatures(entries)
    for (position, (seq, entry, statement)) in entries.enumerated() {
      var byActor = false
      for (number, signature) in entry.envelope.signatures.enumerated() {
        guard let record = keys[signature.keyID] else {
          throw fail(
            "bundle.signer-unknown",
            "entry \(seq) is signed by key \(signature.keyID.prefix(12))…, whose enrolment or key change is not in the bundle")
        }
        guard record.revokedFrom.map({ entry.logged < $0 }) ?? true else {
          throw fail(
            "bundle.signature",
            "entry \(seq) is signed by key \(signature.keyID.prefix(12))… of \(record.owner), revoked from \(record.revokedFrom!)"
          )
        }
        guard valid[position][number] == record.key.keyID else {
          throw fail("bundle.signature", "entry \(seq): the signature by \(record.owner) does not verify")
        }
        if record.owner == statement.actor { byActor = true }
      }
      guard byActor else { throw fail("bundle.signature", "entry \(seq) carries no signature by its actor \(statement.actor)") }
      switch statement.body {
      case .enroll(let spec): for key in spec.keys { keys[key.keyID] = KeyRecord(key: key, owner: spec.id) }
      case .keys(let change):
        for key in change.add { keys[key.keyID] = KeyRecord(key: key, owner: change.participant) }
        for revocation in change.revoke where keys[revocation.keyID]?.owner == change.participant {
          let earlier = keys[revocation.keyID]!.revokedFrom
          keys[revocation.keyID]!.revokedFrom = earlier.map { min($0, revocation.from) } ?? revocation.from
        }
      default: break
      }
    }
    // 4. The trace, complete down to the harvests.
    var state = LedgerState()
    state.trace = TraceIndex.build(from: entries)
    let bySeq = Dictionary(uniqueKeysWithValues: entries.map { ($0.seq, $0.entry) })
    let tracer = Tracer(state: state, entry: { bySeq[$0] })
    let lot: String
    let trace: LotTrace
    do {
      lot = try tracer.lot(forLotOrItem: bundle.subject)
      trace = try tracer.backward(lot)
    } catch {
      throw fail("bundle.incomplete", "the bundle cannot trace \(bundle.subject): \(error)")
    }
    if let missing = firstMissingOrigin(trace) {
      throw fail("bundle.incomplete", "the bundle does not carry the entry that created lot \(missing)")
    }
    return VerifiedBundle(checkpoint: checkpoint, cosigners: cosigners, entries: entries, tracer: tracer, lot: lot, trace: trace)
  }

  /// Every signature checked on all cores against every key the bundle names: for each entry and
  /// signature, the key id it verified with (nil when it did not).
  static func checkSignatures(_ entries: [(seq: UInt64, entry: Entry, statement: Statement)]) -> [[String?]] {
    var directory: [String: PublicKey] = [:]
    for item in entries {
      for key in item.statement.body.introducedKeys { directory[key.keyID] = key }
    }
    let results = UnsafeMutableBufferPointer<[String?]>.allocate(capacity: max(entries.count, 1))
    results.initialize(repeating: [])
    defer {
      results.deinitialize()
      results.deallocate()
    }
    nonisolated(unsafe) let shared = results
    let keys = directory
    DispatchQueue.concurrentPerform(iterations: entries.count) { index in
      let envelope = entries[index].entry.envelope
      shared[index] = LedgerState.checkSignatures(envelope) { keys[$0] }.map { $0.valid == true ? $0.keyID : nil }
    }
    return Array(results.prefix(entries.count))
  }

  static func firstMissingOrigin(_ trace: LotTrace) -> String? {
    if trace.origin == nil { return trace.lot }
    for input in trace.inputs { if let missing = firstMissingOrigin(input.trace) { return missing } }
    return nil
  }
}
