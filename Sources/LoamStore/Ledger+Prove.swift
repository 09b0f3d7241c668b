public import LoamCore
public import LoamCrypto
public import LoamVerify

extension Ledger {
  /// How many years of a field's history before a harvest a bundle carries.
  public static let bundleFieldYears = 5

  /// Inclusion proofs for the tree of `size` entries with `root`: from the stored subtree roots
  /// when the index has them (O(log n) reads), else from the log's leaf hashes (one pass).
  public func inclusionProver(size: UInt64, root: SHA256Digest, state: LedgerState) throws -> (UInt64) throws -> [SHA256Digest] {
    if let index = state.trace {
      // Leaves are the entry ids: read back at their place; higher nodes are stored.
      let file = LineFile(path: entriesPath)
      let node: (MerkleNodeID) -> SHA256Digest? = { id in
        guard id.level == 0 else { return index.nodes[id] }
        return index.locations[id.index].flatMap { file.read($0) }.map { MerkleHash.leaf($0) }
      }
      if (try? MerkleProof.root(start: 0, count: size, node: node)) == root {
        return { seq in try MerkleProof.inclusionProof(index: seq, size: size, node: node) }
      }
    }
    // Without stored nodes: every perfect subtree's root from one pass over the leaves, so each
    // proof is O(log n) lookups (recomputing subtrees per proof made a bundle cost minutes).
    let leaves = try leafHashes(count: size)
    guard UInt64(leaves.count) == size, MerkleProof.root(leaves[...]) == root else {
      throw StoreError(.io, "the checkpoint does not match the log; run `loam verify`")
    }
    var levels = [leaves]
    while let below = levels.last, below.count > 1 {
      levels.append(stride(from: 0, to: below.count - 1, by: 2).map { MerkleHash.node(below[$0], below[$0 + 1]) })
    }
    let node: (MerkleNodeID) -> SHA256Digest? = { id in
      let level = Int(id.level)
      guard level < levels.count, id.index < UInt64(levels[level].count) else { return nil }
      return levels[level][Int(id.index)]
    }
    return { seq in try MerkleProof.inclusionProof(index: seq, size: size, node: node) }
  }

  /// A bundle for a lot or consumer item: every entry of its backward trace, the events of its
  /// harvests' fields from the five years up to each harvest (and the corrections that voided any), the genesis and the enrolment and key
  /// history of every signer, each with its inclusion proof to the current checkpoint.
  public func prove(_ subject: String) throws -> Bundle {
    let state = try currentState()
    guard let index = state.trace else { throw StoreError(.io, "the ledger has no trace index; run `loam reindex`") }
    let tracer = Tracer(state: state, entry: entryReader(for: state))
    let lot = try tracer.lot(forLotOrItem: subject)
    let trace = try tracer.backward(lot)
    var seqs: Set<UInt64> = [0]
    if let sale = index.itemSales[subject] { seqs.insert(sale) }
    func collect(_ trace: LotTrace) {
      if let origin = trace.origin { seqs.insert(origin.seq) }
      for event in trace.custody { seqs.insert(event.seq) }
      if let field = trace.field, let harvest = trace.origin?.statement.time {
        // The field's registration and what concerns the five years up to the harvest.
        let earliest = harvest.adding(months: -12 * Self.bundleFieldYears)
        let refs = index.fieldEvents[field.field]
        for ref in refs where ref == refs.first || (ref.until >= earliest && ref.from <= harvest) { seqs.insert(ref.seq) }
      }
      for input in trace.inputs { collect(input.trace) }
    }
    collect(trace)
    for seq in seqs { if let correction = index.voided[seq] { seqs.insert(correction) } }
    // Signers and their key history, until nothing new is needed.
    let reader = entryReader(for: state)
    var visited: Set<UInt64> = []
    var pending = Array(seqs)
    var participantsDone: Set<String> = []
    while let seq = pending.popLast() {
      guard visited.insert(seq).inserted, let entry = reader(seq) else { continue }
      let signers = entry.envelope.signatures.compactMap { state.keys[$0.keyID]?.owner }
      let actor = (try? Statement(payload: entry.envelope.payload))?.actor
      for participant in Set(signers + (actor.map { [$0] } ?? [])) where participantsDone.insert(participant).inserted {
        guard let record = state.participants[participant] else { continue }
        for needed in [record.enrolledSeq] + record.keyChanges where !seqs.contains(needed) {
          seqs.insert(needed)
          pending.append(needed)
        }
      }
    }
    guard let checkpointBytes = try checkpointBytes() else { throw StoreError(.io, "\(directory) has no checkpoint") }
    let checkpoint = try Checkpoint(text: try Note(parsing: checkpointBytes).text)
    let prover = try inclusionProver(size: checkpoint.size, root: checkpoint.rootHash, state: state)
    let items = try seqs.filter { $0 < checkpoint.size }.sorted().map { seq -> Bundle.Item in
      guard let entry = reader(seq) else { throw StoreError(.io, "entry \(seq) could not be read back") }
      return Bundle.Item(index: seq, line: entry.line, proof: try prover(seq))
    }
    return Bundle(subject: subject, checkpoint: String(decoding: checkpointBytes, as: UTF8.self), entries: items)
  }
}
