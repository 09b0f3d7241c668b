public import LoamCrypto

/// A participant as `genesis` and `enroll` name it.
public struct ParticipantSpec: Hashable, Sendable {
  public var id: String
  public var name: String
  public var roles: Set<Role>
  public var keys: [PublicKey]
  public var gln: String?

  static func parse(_ reader: FieldReader) throws -> ParticipantSpec {
    try reader.allowOnly(["id", "name", "roles", "keys", "gln", "location"])
    let roles = try reader.stringArray("roles").enumerated().map { index, text in
      guard let role = Role(rawValue: text) else {
        throw StatementError(
          "statement.malformed", "unknown role \"\(text)\" (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))",
          path: reader.item("roles", index).text)
      }
      return role
    }
    let keys = try reader.publicKeys("keys")
    if Set(keys.map(\.keyID)).count != keys.count { throw reader.fail("keys", "lists the same key twice") }
    return ParticipantSpec(
      id: try reader.identifier("id"), name: try reader.string("name"), roles: Set(roles), keys: keys,
      gln: try reader.optionalString("gln"))
  }
}

public struct Genesis: Hashable, Sendable {
  public var origin: String
  public var logKey: NoteVerifier
  public var participants: [ParticipantSpec]
}

public struct KeyChange: Hashable, Sendable {
  public struct Revocation: Hashable, Sendable {
    public var keyID: String
    public var from: Timestamp
  }
  public var participant: String
  public var add: [PublicKey]
  public var revoke: [Revocation]
}

public struct FieldSpec: Hashable, Sendable {
  public var id: String
  public var name: String
  public var area: Quantity
  public var country: String?
}

public struct PracticeRecord: Hashable, Sendable {
  public var field: String
  public var practice: PracticeKind
  public var start: Timestamp
  public var end: Timestamp
  public var evidence: [Evidence]
}

public struct MeasurementRecord: Hashable, Sendable {
  public var field: String
  public var metric: String
  public var value: ExactDecimal
  public var unit: String
  public var method: String
  public var sampled: Timestamp
  public var depthCm: ExactDecimal?
  public var evidence: [Evidence]
}

public struct Certification: Hashable, Sendable {
  public enum Subject: Hashable, Sendable {
    case field(String)
    case participant(String)
    case lot(String)
  }
  public var subject: Subject
  public var standard: String
  public var level: String?
  public var validFrom: Timestamp
  public var validUntil: Timestamp
  public var reference: String?
  public var evidence: [Evidence]
}

public struct Harvest: Hashable, Sendable {
  public var field: String
  public var lot: String
  public var product: String
  public var quantity: Quantity
}

public struct LotQuantity: Hashable, Sendable {
  public var lot: String
  public var quantity: Quantity
}

public struct TransformOutput: Hashable, Sendable {
  public var lot: String
  public var product: String
  public var quantity: Quantity
}

public struct Transform: Hashable, Sendable {
  /// "`from` of input counts as `to`": how to compare inputs of different dimensions (a blend
  /// of grapes in kg and must in L declares, say, 1 KGM = 0.7 LTR).
  public struct Conversion: Hashable, Sendable {
    public var from: Quantity
    public var to: Quantity
  }

  public var inputs: [LotQuantity]
  public var outputs: [TransformOutput]
  public var process: String
  public var conversions: [Conversion] = []
}

public struct Shipment: Hashable, Sendable {
  public var lot: String
  public var quantity: Quantity
  public var to: String
}

public struct Receipt: Hashable, Sendable {
  /// The entry id of the `ship`.
  public var shipment: SHA256Digest
  public var quantity: Quantity
}

public struct Observation: Hashable, Sendable {
  public var lot: String
}

public struct Sale: Hashable, Sendable {
  public var lot: String
  public var quantity: Quantity
  public var items: [String]
}

public struct Correction: Hashable, Sendable {
  public var entry: SHA256Digest
  public var reason: String
}

/// What a statement says, by kind.
public enum StatementBody: Hashable, Sendable {
  case genesis(Genesis)
  case enroll(ParticipantSpec)
  case keys(KeyChange)
  case field(FieldSpec)
  case practice(PracticeRecord)
  case measurement(MeasurementRecord)
  case certify(Certification)
  case harvest(Harvest)
  case transform(Transform)
  case ship(Shipment)
  case receive(Receipt)
  case observe(Observation)
  case sell(Sale)
  case correct(Correction)
  case policy(JSONObject)
}

extension StatementBody {
  /// Reads the kind-specific members of a statement.
  static func parse(_ kind: StatementKind, _ r: FieldReader) throws -> StatementBody {
    func only(_ keys: [StaticString]) throws { try r.allowOnly(["kind", "actor", "time", "ref"], keys) }
    switch kind {
    case .genesis:
      try only(["origin", "logKey", "participants"])
      let logKeyText = try r.string("logKey")
      let logKey: NoteVerifier
      do {
        logKey = try NoteVerifier(vkey: logKeyText)
      } catch {
        throw r.fail("logKey", "must be a C2SP Ed25519 verifier key (name+hash+base64): \(error)")
      }
      guard logKey.type == .ed25519 else { throw r.fail("logKey", "the log key must be Ed25519 (signature type 0x01)") }
      let origin = try r.string("origin")
      guard logKey.name == origin else { throw r.fail("logKey", "the log key's name must be the origin \"\(origin)\"") }
      let participants = try r.array("participants").enumerated().map { index, item in
        try ParticipantSpec.parse(FieldReader(item, path: r.item("participants", index)))
      }
      return .genesis(Genesis(origin: origin, logKey: logKey, participants: participants))
    case .enroll:
      try only(["participant"])
      return .enroll(try ParticipantSpec.parse(r.reader("participant")))
    case .keys:
      try only(["participant", "add", "revoke"])
      let revoke = try r.optionalArray("revoke").enumerated().map { index, item in
        let entry = try FieldReader(item, path: r.item("revoke", index))
        try entry.allowOnly(["keyid", "from"])
        let keyID = try entry.string("keyid")
        guard Hex.isLowercase(keyID, byteCount: 32) else {
          throw entry.fail("keyid", "must be a key id: 64 lowercase hex digits")
        }
        return KeyChange.Revocation(keyID: keyID, from: try entry.time("from"))
      }
      let add = r.has("add") ? try r.publicKeys("add", allowEmpty: true) : []
      guard !add.isEmpty || !revoke.isEmpty else { throw r.fail("add", "a keys statement must add or revoke at least one key") }
      return .keys(KeyChange(participant: try r.identifier("participant"), add: add, revoke: revoke))
    case .field:
      try only(["field"])
      let f = try r.reader("field")
      try f.allowOnly(["id", "name", "area", "geometry", "country"])
      let area = try f.positiveQuantity("area")
      guard area.unit == "HAR" else { throw f.fail("area", "must be in hectares (uom HAR)") }
      return .field(
        FieldSpec(id: try f.identifier("id"), name: try f.string("name"), area: area, country: try f.optionalString("country")))
    case .practice:
      try only(["field", "practice", "period", "details", "evidence"])
      let text = try r.string("practice")
      guard let practice = PracticeKind(rawValue: text) else {
        throw r.fail(
          "practice", "unknown practice \"\(text)\" (known: \(PracticeKind.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      let period = try r.reader("period")
      try period.allowOnly(["start", "end"])
      let start = try period.time("start")
      let end = try period.time("end")
      guard start <= end else { throw period.fail("end", "the period ends before it starts") }
      return .practice(
        PracticeRecord(field: try r.identifier("field"), practice: practice, start: start, end: end, evidence: try r.evidence()))
    case .measurement:
      try only(["field", "metric", "value", "unit", "method", "sampled", "depthCm", "evidence"])
      return .measurement(
        MeasurementRecord(
          field: try r.identifier("field"), metric: try r.string("metric"), value: try r.number("value"),
          unit: try r.string("unit"),
          method: try r.string("method"), sampled: try r.time("sampled"),
          depthCm: r.has("depthCm") ? try r.number("depthCm") : nil,
          evidence: try r.evidence()))
    case .certify:
      try only(["subject", "standard", "level", "valid", "reference", "evidence"])
      let s = try r.reader("subject")
      try s.allowOnly(["field", "participant", "lot"])
      let named = (field: s.has("field"), participant: s.has("participant"), lot: s.has("lot"))
      guard [named.field, named.participant, named.lot].count(where: { $0 }) == 1 else {
        throw r.fail("subject", "must name exactly one of field, participant or lot")
      }
      let subject: Certification.Subject =
        if named.field {
          .field(try s.identifier("field"))
        } else if named.participant {
          .participant(try s.identifier("participant"))
        } else {
          .lot(try s.identifier("lot"))
        }
      let valid = try r.reader("valid")
      try valid.allowOnly(["from", "until"])
      let from = try valid.time("from")
      let until = try valid.time("until")
      guard from <= until else { throw valid.fail("until", "the validity ends before it starts") }
      return .certify(
        Certification(
          subject: subject, standard: try r.string("standard"), level: try r.optionalString("level"), validFrom: from,
          validUntil: until,
          reference: try r.optionalString("reference"), evidence: try r.evidence()))
    case .harvest:
      try only(["field", "lot", "product", "quantity"])
      return .harvest(
        Harvest(
          field: try r.identifier("field"), lot: try r.identifier("lot"), product: try r.string("product"),
          quantity: try r.positiveQuantity("quantity")))
    case .transform:
      try only(["inputs", "outputs", "process", "conversions"])
      let inputs = try r.array("inputs").enumerated().map { index, item in
        let i = try FieldReader(item, path: r.item("inputs", index))
        try i.allowOnly(["lot", "quantity"])
        return LotQuantity(lot: try i.identifier("lot"), quantity: try i.positiveQuantity("quantity"))
      }
      let outputs = try r.array("outputs").enumerated().map { index, item in
        let o = try FieldReader(item, path: r.item("outputs", index))
        try o.allowOnly(["lot", "product", "quantity"])
        return TransformOutput(
          lot: try o.identifier("lot"), product: try o.string("product"), quantity: try o.positiveQuantity("quantity"))
      }
      if Set(inputs.map(\.lot)).count != inputs.count { throw r.fail("inputs", "names the same lot twice") }
      if Set(outputs.map(\.lot)).count != outputs.count { throw r.fail("outputs", "names the same lot twice") }
      let conversions = try r.optionalArray("conversions").enumerated().map { index, item in
        let c = try FieldReader(item, path: r.item("conversions", index))
        try c.allowOnly(["from", "to"])
        let conversion = Transform.Conversion(from: try c.positiveQuantity("from"), to: try c.positiveQuantity("to"))
        guard let from = UnitCode.known[conversion.from.unit], let to = UnitCode.known[conversion.to.unit],
          from.dimension != to.dimension
        else {
          throw c.fail("to", "a conversion relates two units Loam knows, of different dimensions (e.g. KGM to LTR)")
        }
        return conversion
      }
      return .transform(Transform(inputs: inputs, outputs: outputs, process: try r.string("process"), conversions: conversions))
    case .ship:
      try only(["lot", "quantity", "to"])
      return .ship(
        Shipment(lot: try r.identifier("lot"), quantity: try r.positiveQuantity("quantity"), to: try r.identifier("to")))
    case .receive:
      try only(["shipment", "quantity"])
      let id = try r.string("shipment")
      guard Hex.isLowercase(id, byteCount: 32), let digest = SHA256Digest(hex: id) else {
        throw r.fail("shipment", "must be the entry id of the ship statement (64 lowercase hex digits)")
      }
      return .receive(Receipt(shipment: digest, quantity: try r.positiveQuantity("quantity")))
    case .observe:
      try only(["lot", "observation"])
      _ = try r.objectValue("observation")
      return .observe(Observation(lot: try r.identifier("lot")))
    case .sell:
      try only(["lot", "quantity", "items"])
      let items = r.has("items") ? try r.stringArray("items", allowEmpty: true) : []
      for (index, item) in items.enumerated() where !Identifier.isValid(item) {
        throw StatementError(
          "statement.malformed", "must be 1–256 printable characters without whitespace", path: r.item("items", index).text)
      }
      return .sell(Sale(lot: try r.identifier("lot"), quantity: try r.positiveQuantity("quantity"), items: items))
    case .correct:
      try only(["entry", "reason"])
      let id = try r.string("entry")
      guard Hex.isLowercase(id, byteCount: 32), let digest = SHA256Digest(hex: id) else {
        throw r.fail("entry", "must be an entry id (64 lowercase hex digits)")
      }
      return .correct(Correction(entry: digest, reason: try r.string("reason")))
    case .policy:
      try only(["policy"])
      let policy = try r.objectValue("policy")
      guard let name = policy["name"]?.stringValue, !name.isEmpty else {
        throw StatementError("statement.malformed", "a policy needs a non-empty \"name\"", path: r.at("policy"))
      }
      return .policy(policy)
    }
  }
}

extension StatementBody {
  /// The public keys the statement brings into the log: a genesis's participants', an enrolment's,
  /// a key change's added ones; none for every other kind.
  public var introducedKeys: [PublicKey] {
    switch self {
    case .genesis(let genesis): genesis.participants.flatMap(\.keys)
    case .enroll(let spec): spec.keys
    case .keys(let change): change.add
    default: []
    }
  }
}
