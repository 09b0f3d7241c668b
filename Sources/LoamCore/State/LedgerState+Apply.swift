public import LoamCrypto

/// The outcome of checking one signature of an envelope cryptographically (done ahead, possibly
/// on other threads): valid, invalid, or by a key the checker did not know.
public struct SignatureResult: Hashable, Sendable {
  public var keyID: String
  /// nil when the key id names no key known to the checker.
  public var valid: Bool?

  public init(keyID: String, valid: Bool?) {
    self.keyID = keyID
    self.valid = valid
  }
}

extension LedgerState {
  /// Checks every signature of `envelope` against `keys` (every key the log has named).
  public static func checkSignatures(_ envelope: DSSEEnvelope, keys: (String) -> PublicKey?) -> [SignatureResult] {
    envelope.checkSignatures(key: keys).map { check in
      switch check {
      case .valid(let id): SignatureResult(keyID: id, valid: true)
      case .invalid(let id): SignatureResult(keyID: id, valid: false)
      case .unknownKey(let id): SignatureResult(keyID: id, valid: nil)
      }
    }
  }

  /// Applies one entry: checks the chain, the signatures against the keys valid at that point,
  /// the actor's authority and the state rules. The entry always takes its place in the chain;
  /// a statement that breaks a rule has no effect on the state and yields findings.
  public mutating func apply(_ entry: Entry, statement: Result<Statement, StatementError>, signatures: [SignatureResult])
    -> [Finding]
  {
    var findings: [Finding] = []
    // Findings name the entry's position in the log, which is the seq it should carry.
    let position = size
    func finding(_ code: String, _ message: String, _ severity: Finding.Severity = .error) {
      findings.append(Finding(seq: position, entryID: entry.id, code: code, message: message, severity: severity))
    }

    // The chain.
    if entry.seq != size {
      finding("chain.seq-mismatch", "seq is \(entry.seq) but entry \(size) was expected here")
    }
    if entry.prev != head {
      let previous = size == 0 ? "64 zeros (the first entry)" : "the id of entry \(size - 1) (\(head.hex.prefix(12))…)"
      finding(
        "chain.prev-mismatch",
        "prev is \(entry.prev.hex.prefix(12))… but should be \(previous): entry \(size == 0 ? 0 : size - 1) or this one was changed, removed or reordered"
      )
    }
    if let lastLogged, entry.logged < lastLogged {
      finding("chain.logged-decreasing", "logged \(entry.logged) is earlier than the previous entry's \(lastLogged)")
    }
    let seq = size
    size += 1
    head = entry.id
    appendToTree(entry.id)
    if lastLogged.map({ entry.logged > $0 }) ?? true { lastLogged = entry.logged }

    // The statement.
    let parsed: Statement
    switch statement {
    case .failure(let error):
      finding(error.code, error.description)
      return findings
    case .success(let value):
      parsed = value
    }
    if entry.envelope.payloadType != DSSEEnvelope.loamStatementType {
      finding("statement.payload-type", "payloadType is \"\(entry.envelope.payloadType)\", not \(DSSEEnvelope.loamStatementType)")
      return findings
    }
    if parsed.time > entry.logged.adding(seconds: Self.allowedClockSkewSeconds) {
      finding(
        "statement.future-time",
        "the statement's time \(parsed.time) is more than 5 minutes after it was logged (\(entry.logged))")
      return findings
    }
    if let ref = parsed.ref, let earlier = refs[ref] {
      finding("state.duplicate-ref", "ref \"\(ref)\" was already used by entry \(earlier.seq)")
      return findings
    }

    do {
      try authorizeSignatures(parsed, entry: entry, seq: seq, signatures: signatures)
      let effect = try applyRules(parsed, entry: entry, seq: seq)
      entries[entry.id] = EntryRecord(seq: seq, kind: parsed.kind, actor: parsed.actor, voided: false, effect: effect)
      if trace != nil {
        var related: UInt64? = nil
        var receivedLot: String? = nil
        if case .correct(let correction) = parsed.body { related = entries[correction.entry]?.seq }
        if case .receive(let receipt) = parsed.body { receivedLot = shipment(receipt.shipment)?.lot }
        // In place: a copy of the index out and back in retained and released each of its tables.
        trace!.record(parsed, seq: seq, receivedLot: receivedLot, correctedSeq: related)
      }
      if let ref = parsed.ref {
        refs[ref] = RefRecord(seq: seq, entryID: entry.id, payloadHash: SHA256.hash(entry.envelope.payload))
      }
    } catch let violation as RuleViolation {
      finding(violation.code, violation.message)
    } catch {
      finding("state.error", "\(error)")
    }
    return findings
  }

  /// Every signature must verify with a key valid at this entry, and one must be the actor's.
  private func authorizeSignatures(_ statement: Statement, entry: Entry, seq: UInt64, signatures: [SignatureResult]) throws {
    guard !signatures.isEmpty else { throw RuleViolation("sig.missing", "the envelope has no signature") }
    if case .genesis(let genesis) = statement.body {
      guard seq == 0 else { throw RuleViolation("genesis.misplaced", "a genesis statement may only be entry 0") }
      guard let admin = genesis.participants.first(where: { $0.id == statement.actor }), admin.roles.contains(.admin) else {
        throw RuleViolation("policy.unauthorized", "the genesis actor \(statement.actor) must be one of its listed admins")
      }
      let ownKeys = Set(admin.keys.map(\.keyID))
      for signature in signatures {
        guard ownKeys.contains(signature.keyID) else {
          throw RuleViolation(
            "sig.unknown-key", "key \(signature.keyID.prefix(12))… is not a key of \(statement.actor) listed in the genesis")
        }
        guard signature.valid == true else {
          throw RuleViolation(
            "sig.invalid", "signature by key \(signature.keyID.prefix(12))… of \(statement.actor) does not verify")
        }
      }
      return
    }
    guard seq > 0, origin != nil else {
      throw RuleViolation("genesis.missing", "entry 0 must be a genesis statement")
    }
    var byActor = false
    for signature in signatures {
      guard let key = keys[signature.keyID] else {
        throw RuleViolation("sig.unknown-key", "signature by key \(signature.keyID.prefix(12))…, which no participant holds")
      }
      guard key.isValid(at: entry.logged) else {
        throw RuleViolation(
          "sig.revoked-key", "signature by key \(signature.keyID.prefix(12))… of \(key.owner), revoked from \(key.revokedFrom!)")
      }
      guard signature.valid == true else {
        throw RuleViolation("sig.invalid", "signature by key \(signature.keyID.prefix(12))… of \(key.owner) does not verify")
      }
      if key.owner == statement.actor { byActor = true }
    }
    guard participants[statement.actor] != nil else {
      throw RuleViolation("state.unknown-participant", "the actor \(statement.actor) is not an enrolled participant")
    }
    guard byActor else {
      throw RuleViolation("sig.not-actor", "no signature is by a key of the actor \(statement.actor)")
    }
  }
}

extension LedgerState {
  /// Moves the chain past a line that could not be read at all.
  public mutating func skip(unreadableEntryID id: SHA256Digest) {
    size += 1
    head = id
    appendToTree(id)
  }
}

extension LedgerState {
  /// Extends the tree; a state that keeps a trace index also keeps the completed subtree roots.
  mutating func appendToTree(_ leaf: SHA256Digest) {
    guard trace != nil else {
      tree.append(leafHash: leaf)
      return
    }
    // The range, not the index, is moved out while it changes (kept uniquely referenced): it is one
    // array, where the index is a dozen tables to retain and release.
    var range = tree
    tree = CompactRange()
    // Leaves are the entry ids themselves (found through `locations`): only inner nodes are kept.
    range.append(leafHash: leaf) { id, hash in if id.level > 0 { trace!.nodes[id] = hash } }
    tree = range
  }
}
