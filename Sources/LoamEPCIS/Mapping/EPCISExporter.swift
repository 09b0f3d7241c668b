public import LoamCore
public import LoamCrypto

/// Writes Loam statements as EPCIS 2.0 events (the mapping of `Ledger/EPCIS.md`), each with its
/// GS1 event hash ID as `eventID`. Pure: what it needs from the ledger comes through `Context`.
///
/// An exported event carries only what the statement says (never a seq or an entry id), so export →
/// import into another ledger → export gives the same events and the same hash IDs.
public struct EPCISExporter: Sendable {
  public struct Context: Sendable {
    /// The statement logged as entry `id` (for `receive`, which names its `ship`, and `correct`).
    public var statement: @Sendable (SHA256Digest) -> Statement?
    /// The practice and certify statements about a field, in log order (for harvests' ILMD).
    public var fieldHistory: @Sendable (String) -> [Statement]

    public init(
      statement: @escaping @Sendable (SHA256Digest) -> Statement?,
      fieldHistory: @escaping @Sendable (String) -> [Statement]
    ) {
      self.statement = statement
      self.fieldHistory = fieldHistory
    }
  }

  public var context: Context
  let hasher = EventHashID(namespaces: ["loam": LoamURI.namespace])

  public init(context: Context) {
    self.context = context
  }

  /// The statement kinds that have an EPCIS event.
  public static let exportedKinds: Set<StatementKind> = [
    .harvest, .transform, .ship, .receive, .sell, .measurement, .observe, .correct,
  ]

  /// The event for `statement`, `eventID` set to its hash ID; nil for kinds EPCIS has no event for.
  public func event(for statement: Statement) -> JSONObject? {
    guard var event = bareEvent(for: statement) else { return nil }
    event["eventID"] = .string(hasher.hashID(of: event))
    return event
  }

  /// An EPCISDocument around `events`.
  public static func document(events: [JSONObject], created: Timestamp) -> JSONObject {
    JSONObject([
      JSONMember("@context", [.string(EPCISDocument.context), ["loam": .string(LoamURI.namespace)]]),
      JSONMember("type", "EPCISDocument"),
      JSONMember("schemaVersion", "2.0"),
      JSONMember("creationDate", .string(created.description)),
      JSONMember("epcisBody", ["eventList": .array(events.map(JSONValue.object))]),
    ])
  }

  func bareEvent(for statement: Statement) -> JSONObject? {
    switch statement.body {
    case .harvest(let harvest):
      var event = header("ObjectEvent", statement, action: "ADD", bizStep: "commissioning")
      event["quantityList"] = [quantityElement(harvest.lot, harvest.quantity)]
      event["bizLocation"] = ["id": .string(LoamURI.uri(harvest.field, .field))]
      event["ilmd"] = .object(ilmd(for: harvest, time: statement.time))
      let certificates = certifications(of: harvest.field, at: statement.time).map(certificateURI)
      if !certificates.isEmpty { event["certificationInfo"] = .array(certificates.map(JSONValue.string)) }
      return event
    case .transform(let transform):
      var event = header("TransformationEvent", statement, action: nil, bizStep: "commissioning")
      event["inputQuantityList"] = .array(transform.inputs.map { quantityElement($0.lot, $0.quantity) })
      event["outputQuantityList"] = .array(transform.outputs.map { quantityElement($0.lot, $0.quantity) })
      event["ilmd"] = [
        "loam:output": .array(
          transform.outputs.map { ["loam:lot": .string($0.lot), "loam:product": .string($0.product)] })
      ]
      event["loam:process"] = .string(transform.process)
      if !transform.conversions.isEmpty {
        event["loam:conversion"] = .array(
          transform.conversions.map { ["loam:from": quantity($0.from), "loam:to": quantity($0.to)] })
      }
      return event
    case .ship(let shipment):
      var event = header("ObjectEvent", statement, action: "OBSERVE", bizStep: "shipping")
      event["disposition"] = "in_transit"
      event["quantityList"] = [quantityElement(shipment.lot, shipment.quantity)]
      event["sourceList"] = [party("source", statement.actor)]
      event["destinationList"] = [party("destination", shipment.to)]
      return event
    case .receive(let receipt):
      guard let ship = context.statement(receipt.shipment), case .ship(let shipment) = ship.body,
        let shipEvent = bareEvent(for: ship)
      else { return nil }
      var event = header("ObjectEvent", statement, action: "OBSERVE", bizStep: "receiving")
      event["disposition"] = "in_progress"
      event["quantityList"] = [quantityElement(shipment.lot, receipt.quantity)]
      event["sourceList"] = [party("source", ship.actor)]
      event["destinationList"] = [party("destination", statement.actor)]
      event["loam:shipment"] = .string(hasher.hashID(of: shipEvent))
      return event
    case .sell(let sale):
      var event = header("ObjectEvent", statement, action: "OBSERVE", bizStep: "retail_selling")
      event["disposition"] = "retail_sold"
      event["quantityList"] = [quantityElement(sale.lot, sale.quantity)]
      if !sale.items.isEmpty { event["epcList"] = .array(sale.items.map { .string(LoamURI.uri($0, .item)) }) }
      return event
    case .measurement(let measurement):
      var event = header("ObjectEvent", statement, action: "OBSERVE", bizStep: "sampling")
      event["readPoint"] = ["id": .string(LoamURI.uri(measurement.field, .field))]
      var report: JSONObject = [
        "type": .string("urn:loam:metric:" + LoamURI.percentEncoded(measurement.metric)),
        "value": .number(measurement.value.jsonNumber),
        "loam:unit": .string(measurement.unit),
        "loam:method": .string(measurement.method),
      ]
      if let depth = measurement.depthCm { report["loam:depthCm"] = .number(depth.jsonNumber) }
      event["sensorElementList"] = [
        [
          "sensorMetadata": ["time": .string(measurement.sampled.description)],
          "sensorReport": [.object(report)],
        ]
      ]
      if let evidence = statement.json["evidence"] { event["loam:evidence"] = evidence }
      return event
    case .observe(let observation):
      let observed = statement.json["observation"]?.objectValue
      if let original = observed?["epcis"]?.objectValue, observed?.count == 1 {
        var event = original  // an imported event with no Loam meaning goes back out as it came in
        event["eventID"] = nil
        return event
      }
      var event = header("ObjectEvent", statement, action: "OBSERVE", bizStep: "inspecting")
      event["quantityList"] = [["epcClass": .string(LoamURI.uri(observation.lot, .lot))]]
      if let observed { event["loam:observation"] = .object(observed) }
      return event
    case .correct(let correction):
      guard let original = context.statement(correction.entry), var event = bareEvent(for: original) else { return nil }
      event["errorDeclaration"] = [
        "declarationTime": .string(statement.time.description), "reason": "incorrect_data",
        "loam:reason": .string(correction.reason), "loam:actor": .string(statement.actor),
      ]
      return event
    default:
      return nil
    }
  }

  // MARK: Parts

  private func header(_ type: String, _ statement: Statement, action: String?, bizStep: String) -> JSONObject {
    var event = JSONObject()
    event["type"] = .string(type)
    event["eventTime"] = .string(statement.time.description)
    event["eventTimeZoneOffset"] = "+00:00"
    if let action { event["action"] = .string(action) }
    event["bizStep"] = .string(bizStep)
    event["loam:actor"] = .string(statement.actor)
    return event
  }

  private func quantityElement(_ lot: String, _ quantity: Quantity) -> JSONValue {
    [
      "epcClass": .string(LoamURI.uri(lot, .lot)), "quantity": .number(quantity.value.jsonNumber),
      "uom": .string(quantity.unit),
    ]
  }

  private func quantity(_ quantity: Quantity) -> JSONValue {
    ["loam:value": .number(quantity.value.jsonNumber), "loam:uom": .string(quantity.unit)]
  }

  private func party(_ key: String, _ participant: String) -> JSONValue {
    .object(JSONObject([JSONMember("type", "owning_party"), JSONMember(key, .string(LoamURI.uri(participant, .party)))]))
  }

  /// The harvest's field, product, and the field's practices up to the harvest.
  private func ilmd(for harvest: Harvest, time: Timestamp) -> JSONObject {
    var ilmd: JSONObject = ["loam:field": .string(harvest.field), "loam:product": .string(harvest.product)]
    let practices = context.fieldHistory(harvest.field).compactMap { statement -> JSONValue? in
      guard case .practice(let practice) = statement.body, practice.start <= time else { return nil }
      return [
        "loam:practice": .string(practice.practice.rawValue), "loam:start": .string(practice.start.description),
        "loam:end": .string(practice.end.description),
      ]
    }
    if !practices.isEmpty { ilmd["loam:practices"] = .array(practices) }
    let certified = certifications(of: harvest.field, at: time).map { statement, certification -> JSONValue in
      var item: JSONObject = [
        "loam:standard": .string(certification.standard), "loam:certifier": .string(statement.actor),
        "loam:validFrom": .string(certification.validFrom.description),
        "loam:validUntil": .string(certification.validUntil.description),
      ]
      if let level = certification.level { item["loam:level"] = .string(level) }
      return .object(item)
    }
    if !certified.isEmpty { ilmd["loam:certifications"] = .array(certified) }
    return ilmd
  }

  private func certifications(of field: String, at time: Timestamp) -> [(Statement, Certification)] {
    context.fieldHistory(field).compactMap { statement in
      guard case .certify(let certification) = statement.body, certification.subject == .field(field),
        certification.validFrom <= time, time < certification.validUntil
      else { return nil }
      return (statement, certification)
    }
  }

  private func certificateURI(_ item: (Statement, Certification)) -> String {
    let (statement, certification) = item
    if let reference = certification.reference, URIFormat.isValid(reference) { return reference }
    let name = "\(statement.actor)/\(certification.standard)/\(certification.reference ?? certification.validFrom.description)"
    return "urn:loam:certificate:" + LoamURI.percentEncoded(name)
  }
}
