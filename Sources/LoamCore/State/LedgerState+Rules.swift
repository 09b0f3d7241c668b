import LoamCrypto

/// The state rules of DESIGN.md's statement table. Each handler checks everything first and only
/// then changes the state, so a refused statement leaves no trace.
extension LedgerState {
  func participant(_ id: String) throws -> Participant {
    guard let participant = participants[id] else {
      throw RuleViolation("state.unknown-participant", "\(id) is not an enrolled participant")
    }
    return participant
  }

  func require(_ actor: String, anyOf roles: Set<Role>, or allowed: Bool = false, to action: String) throws {
    if allowed { return }
    let held = try participant(actor).roles
    guard !held.isDisjoint(with: roles) else {
      throw RuleViolation(
        "policy.unauthorized",
        "\(actor) (roles: \(held.map(\.rawValue).sorted().joined(separator: ", "))) may not \(action); that needs \(roles.map(\.rawValue).sorted().joined(separator: " or "))"
      )
    }
  }

  func field(_ id: String) throws -> Field {
    guard let field = fields[id] else { throw RuleViolation("state.unknown-field", "field \(id) is not registered") }
    return field
  }

  func lot(_ id: String) throws -> Lot {
    guard let lot = lots[id] else { throw RuleViolation("state.unknown-lot", "lot \(id) does not exist") }
    return lot
  }

  func amount(_ quantity: Quantity, of lot: Lot) throws -> ExactDecimal {
    guard let value = quantity.converted(to: lot.unit) else {
      throw RuleViolation("state.unit-mismatch", "\(quantity) cannot be converted to lot \(lot.id)'s unit \(lot.unit)")
    }
    return value
  }

  /// The actor must hold at least `quantity` of the lot.
  func take(_ quantity: Quantity, of lotID: String, by actor: String, at time: Timestamp) throws -> HoldingDelta {
    let lot = try lot(lotID)
    let value = try amount(quantity, of: lot)
    let held = lot.holdings[actor] ?? .zero
    guard held.isPositive else {
      throw RuleViolation("state.not-custodian", "\(actor) holds none of lot \(lotID)")
    }
    guard !(held < value) else {
      throw RuleViolation("state.overdrawn", "\(actor) holds \(held) \(lot.unit) of lot \(lotID), less than \(value) \(lot.unit)")
    }
    guard !(time < lot.created) else {
      throw RuleViolation("state.time-before-cause", "time \(time) is before lot \(lotID) was created (\(lot.created))")
    }
    return HoldingDelta(lot: lotID, participant: actor, delta: ExactDecimal(significand: -value.significand, scale: value.scale))
  }

  func requireNewLot(_ id: String) throws {
    if let existing = lots[id] {
      throw RuleViolation("state.duplicate-lot", "lot \(id) was already created by entry \(existing.createdSeq)")
    }
  }

  mutating func commit(_ deltas: [HoldingDelta]) throws {
    if deltas.count == 1 { return try commit(deltas[0]) }
    // Check the whole set first: no holding may go below zero.
    var next: [String: [String: ExactDecimal]] = [:]
    for delta in deltas {
      let current = next[delta.lot]?[delta.participant] ?? holding(of: delta.lot, by: delta.participant)
      guard let updated = current.adding(delta.delta) else {
        throw RuleViolation("state.overflow", "quantity overflow on lot \(delta.lot)")
      }
      guard !updated.isNegative else {
        throw RuleViolation("state.overdrawn", "\(delta.participant)'s holding of lot \(delta.lot) would become \(updated)")
      }
      next[delta.lot, default: [:]][delta.participant] = updated
    }
    for (lot, holders) in next {
      guard var record = lots[lot] else { continue }
      for (participant, value) in holders { record.holdings[participant] = value.isZero ? nil : value }
      lots[lot] = record
    }
  }

  /// One holding's change (a shipment, a receipt, a sale), as `commit(_:)` makes it, with one
  /// lookup of the lot instead of three and no dictionaries of the changes.
  private mutating func commit(_ delta: HoldingDelta) throws {
    let record = lots[delta.lot]
    let current = record?.holdings[delta.participant] ?? .zero
    guard let updated = current.adding(delta.delta) else {
      throw RuleViolation("state.overflow", "quantity overflow on lot \(delta.lot)")
    }
    guard !updated.isNegative else {
      throw RuleViolation("state.overdrawn", "\(delta.participant)'s holding of lot \(delta.lot) would become \(updated)")
    }
    guard var record else { return }
    record.holdings[delta.participant] = updated.isZero ? nil : updated
    lots[delta.lot] = record
  }

  /// Applies the kind's rules; returns what changed (for corrections).
  mutating func applyRules(_ statement: Statement, entry: Entry, seq: UInt64) throws -> Effect? {
    let actor = statement.actor
    switch statement.body {
    case .genesis(let genesis):
      var seen = Set<String>()
      for spec in genesis.participants {
        guard seen.insert(spec.id).inserted else {
          throw RuleViolation("state.duplicate-participant", "the genesis lists \(spec.id) twice")
        }
      }
      for spec in genesis.participants { try enroll(spec, seq: seq) }
      origin = genesis.origin
      logKey = genesis.logKey
      return nil

    case .enroll(let spec):
      try require(actor, anyOf: [.admin], to: "enroll participants")
      if let existing = participants[spec.id] {
        throw RuleViolation("state.duplicate-participant", "\(spec.id) was already enrolled by entry \(existing.enrolledSeq)")
      }
      try enroll(spec, seq: seq)
      return nil

    case .keys(let change):
      try require(actor, anyOf: [.admin], or: actor == change.participant, to: "change another participant's keys")
      var subject = try participant(change.participant)
      for key in change.add where keys[key.keyID] != nil {
        throw RuleViolation("state.duplicate-key", "key \(key.keyID.prefix(12))… is already held by \(keys[key.keyID]!.owner)")
      }
      for revocation in change.revoke {
        guard let key = keys[revocation.keyID], key.owner == change.participant else {
          throw RuleViolation("state.unknown-key", "key \(revocation.keyID.prefix(12))… is not a key of \(change.participant)")
        }
      }
      for key in change.add {
        keys[key.keyID] = Key(publicKey: key, owner: change.participant, addedSeq: seq)
        subject.keyIDs.append(key.keyID)
      }
      for revocation in change.revoke {
        let earlier = keys[revocation.keyID]!.revokedFrom
        keys[revocation.keyID]!.revokedFrom = earlier.map { min($0, revocation.from) } ?? revocation.from
      }
      subject.keyChanges.append(seq)
      participants[change.participant] = subject
      return nil

    case .field(let spec):
      try require(actor, anyOf: [.grower], to: "register fields")
      if let existing = fields[spec.id] {
        throw RuleViolation("state.duplicate-field", "field \(spec.id) was already registered by entry \(existing.seq)")
      }
      fields[spec.id] = Field(id: spec.id, owner: actor, seq: seq)
      return nil

    case .practice(let record):
      let field = try field(record.field)
      try require(
        actor, anyOf: [.agronomist], or: field.owner == actor, to: "log practices on \(field.id), owned by \(field.owner)")
      return nil

    case .measurement(let record):
      let field = try field(record.field)
      try require(
        actor, anyOf: [.lab, .agronomist], or: field.owner == actor,
        to: "log measurements on \(field.id), owned by \(field.owner)")
      return nil

    case .certify(let certification):
      try require(actor, anyOf: [.certifier], to: "certify")
      switch certification.subject {
      case .field(let id): _ = try field(id)
      case .participant(let id): _ = try participant(id)
      case .lot(let id): _ = try lot(id)
      }
      return nil

    case .harvest(let harvest):
      let field = try field(harvest.field)
      guard field.owner == actor else {
        throw RuleViolation("policy.unauthorized", "\(actor) may not harvest field \(field.id), owned by \(field.owner)")
      }
      try requireNewLot(harvest.lot)
      guard UnitCode.known[harvest.quantity.unit] != nil else {
        throw RuleViolation(
          "state.unit-mismatch",
          "unit \(harvest.quantity.unit) is not one Loam converts; use KGM, TNE, GRM, LTR, MLT, HLT, MTQ, H87 or C62")
      }
      for lot in Lot.made(by: statement, seq: seq) { lots[lot.id] = lot }
      return Effect(deltas: [HoldingDelta(lot: harvest.lot, participant: actor, delta: harvest.quantity.value)])

    case .transform(let transform):
      let taken = try transform.inputs.map { try take($0.quantity, of: $0.lot, by: actor, at: statement.time) }
      for output in transform.outputs {
        try requireNewLot(output.lot)
        if transform.inputs.contains(where: { $0.lot == output.lot }) {
          throw RuleViolation("state.duplicate-lot", "lot \(output.lot) cannot be both input and output")
        }
        guard UnitCode.known[output.quantity.unit] != nil else {
          throw RuleViolation("state.unit-mismatch", "unit \(output.quantity.unit) of lot \(output.lot) is not one Loam converts")
        }
      }
      try commit(taken)
      for lot in Lot.made(by: statement, seq: seq) { lots[lot.id] = lot }
      return Effect(
        deltas: taken + transform.outputs.map { HoldingDelta(lot: $0.lot, participant: actor, delta: $0.quantity.value) })

    case .ship(let shipment):
      _ = try participant(shipment.to)
      guard shipment.to != actor else { throw RuleViolation("state.self-shipment", "\(actor) cannot ship to itself") }
      let delta = try take(shipment.quantity, of: shipment.lot, by: actor, at: statement.time)
      try commit([delta])
      let shipped = try lot(shipment.lot)
      // The lot's own id string, shared with the lots table rather than one more copy per shipment.
      shipments.set(
        entry.id,
        ShipmentRecord(
          lot: shipped.id, from: actor, to: shipment.to, quantity: try amount(shipment.quantity, of: shipped),
          received: .zero, time: statement.time, seq: seq), seq: seq)
      return Effect(deltas: [delta], createdShipment: true)

    case .receive(let receipt):
      guard var record = shipment(receipt.shipment) else {
        throw RuleViolation(
          "state.unknown-shipment", "no ship entry has id \(receipt.shipment.hex.prefix(12))… (or it was corrected)")
      }
      guard record.to == actor else {
        throw RuleViolation(
          "policy.unauthorized", "shipment \(receipt.shipment.hex.prefix(12))… is addressed to \(record.to), not \(actor)")
      }
      let value = try amount(receipt.quantity, of: lot(record.lot))
      guard let outstanding = record.quantity.subtracting(record.received), !(outstanding < value) else {
        throw RuleViolation(
          "state.over-received",
          "receiving \(value) but only \(record.quantity.subtracting(record.received) ?? .zero) of the \(record.quantity) shipped is outstanding"
        )
      }
      guard !(statement.time < record.time) else {
        throw RuleViolation("state.time-before-cause", "received at \(statement.time), before it was shipped (\(record.time))")
      }
      let delta = HoldingDelta(lot: record.lot, participant: actor, delta: value)
      try commit([delta])
      record.received = record.received.adding(value) ?? record.received
      shipments.set(receipt.shipment, record, seq: record.seq)
      return Effect(deltas: [delta], receipt: ReceiptEffect(shipment: receipt.shipment, quantity: value))

    case .observe(let observation):
      let lot = try lot(observation.lot)
      try require(
        actor, anyOf: [.auditor, .lab], or: (lot.holdings[actor] ?? .zero).isPositive,
        to: "observe lot \(lot.id), which it does not hold")
      return nil

    case .sell(let sale):
      let delta = try take(sale.quantity, of: sale.lot, by: actor, at: statement.time)
      try commit([delta])
      return Effect(deltas: [delta])

    case .correct(let correction):
      try applyCorrection(correction, actor: actor)
      return nil

    case .policy(let policy):
      try require(actor, anyOf: [.admin, .certifier, .brand], to: "publish sourcing policies")
      policies[policy["name"]?.stringValue ?? ""] = seq
      return nil
    }
  }

  /// What an accepted entry changed, computed again from its statement (read back by seq) for a
  /// state that does not keep effects: the same deltas `applyRules` returned, since a lot's unit
  /// and a shipment's lot never change.
  func recomputedEffect(of target: EntryRecord) throws -> Effect? {
    guard let statement = entries.reader?(target.seq)?.statement else {
      throw RuleViolation("state.unreadable-entry", "entry \(target.seq) could not be read back to undo what it changed")
    }
    let actor = statement.actor
    func taken(_ quantity: Quantity, of lotID: String) throws -> HoldingDelta {
      let value = try amount(quantity, of: lot(lotID))
      return HoldingDelta(
        lot: lotID, participant: actor, delta: ExactDecimal(significand: -value.significand, scale: value.scale))
    }
    switch statement.body {
    case .harvest(let harvest):
      return Effect(deltas: [HoldingDelta(lot: harvest.lot, participant: actor, delta: harvest.quantity.value)])
    case .transform(let transform):
      return Effect(
        deltas: try transform.inputs.map { try taken($0.quantity, of: $0.lot) }
          + transform.outputs.map { HoldingDelta(lot: $0.lot, participant: actor, delta: $0.quantity.value) })
    case .ship(let shipment):
      return Effect(deltas: [try taken(shipment.quantity, of: shipment.lot)], createdShipment: true)
    case .receive(let receipt):
      guard let record = shipment(receipt.shipment) else {
        throw RuleViolation("state.unknown-shipment", "the shipment entry \(receipt.shipment.hex.prefix(12))… is gone")
      }
      let value = try amount(receipt.quantity, of: lot(record.lot))
      return Effect(
        deltas: [HoldingDelta(lot: record.lot, participant: actor, delta: value)],
        receipt: ReceiptEffect(shipment: receipt.shipment, quantity: value))
    case .sell(let sale):
      return Effect(deltas: [try taken(sale.quantity, of: sale.lot)])
    default:
      return nil
    }
  }

  mutating func enroll(_ spec: ParticipantSpec, seq: UInt64) throws {
    for key in spec.keys where keys[key.keyID] != nil {
      throw RuleViolation("state.duplicate-key", "key \(key.keyID.prefix(12))… is already held by \(keys[key.keyID]!.owner)")
    }
    for key in spec.keys {
      keys[key.keyID] = Key(publicKey: key, owner: spec.id, addedSeq: seq)
    }
    participants[spec.id] = Participant(
      id: spec.id, name: spec.name, roles: spec.roles, keyIDs: spec.keys.map(\.keyID), enrolledSeq: seq)
  }

  /// Voids an entry's effect (EPCIS errorDeclaration). Movements are reversed only when every
  /// holding stays non-negative; registrations and key changes cannot be corrected.
  mutating func applyCorrection(_ correction: Correction, actor: String) throws {
    guard var target = entries[correction.entry] else {
      throw RuleViolation("state.unknown-entry", "no accepted entry has id \(correction.entry.hex.prefix(12))…")
    }
    try require(actor, anyOf: [.admin], or: target.actor == actor, to: "correct entry \(target.seq) by \(target.actor)")
    guard !target.voided else { throw RuleViolation("state.correction-refused", "entry \(target.seq) was already corrected") }
    switch target.kind {
    case .genesis, .enroll, .keys, .field, .correct:
      throw RuleViolation(
        "state.correction-refused",
        "a \(target.kind) entry cannot be corrected; \(target.kind == .keys ? "revoke the key instead" : "log a new statement instead")"
      )
    default: break
    }
    if target.effect == nil, entries.reader != nil { target.effect = try recomputedEffect(of: target) }
    if let effect = target.effect {
      if effect.createdShipment, let shipment = shipment(correction.entry), shipment.received.isPositive {
        throw RuleViolation(
          "state.correction-refused", "shipment of entry \(target.seq) was already received; correct the receive first")
      }
      let reversed = effect.deltas.map {
        HoldingDelta(
          lot: $0.lot, participant: $0.participant, delta: ExactDecimal(significand: -$0.delta.significand, scale: $0.delta.scale)
        )
      }
      do {
        try commit(reversed)
      } catch let violation as RuleViolation {
        throw RuleViolation(
          "state.correction-refused",
          "undoing entry \(target.seq) is impossible: \(violation.message); correct the later entries that used it first")
      }
      if effect.createdShipment { shipments.set(correction.entry, nil, seq: target.seq) }
      if let receipt = effect.receipt, var shipment = shipment(receipt.shipment) {
        shipment.received = shipment.received.subtracting(receipt.quantity) ?? shipment.received
        shipments.set(receipt.shipment, shipment, seq: shipment.seq)
      }
    }
    target.voided = true
    entries[correction.entry] = target
  }
}
