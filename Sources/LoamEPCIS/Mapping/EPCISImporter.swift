import Dispatch
import LoamCore
public import LoamCrypto

/// Maps the events of a validated EPCIS document to Loam statements (the mapping of
/// `Ledger/EPCIS.md`). Pure: signing and appending are the caller's.
///
/// Each statement's `ref` is its event's GS1 hash ID, so importing a document twice logs nothing
/// twice, and an error declaration (which hashes like the event it declares wrong) finds the entry
/// to `correct`. A `receive` names its `ship` by entry id, which exists only once the ship is
/// sequenced: such statements come back `.needsEntry`, to be completed in order as the batch is
/// sequenced (`complete(_:lookup:)`).
public struct EPCISImporter: Sendable {
  public struct Item: Sendable {
    /// The JSON path of the event (`$.epcisBody.eventList[3]`).
    public var path: String
    public var hashID: String
    public var statement: Pending
  }

  public enum Pending: Sendable {
    case ready(JSONObject)
    /// A statement whose `member` is the entry id of an earlier statement: the first entry whose
    /// ref is `ref` or one of its event's later statements' `ref#1` … `ref#63` (and, for a
    /// shipment, whose lot is `lot`), or else the first earlier
    /// shipment in this document of `lot` to the actor.
    case needsEntry(JSONObject, member: String, ref: String?, lot: String?, fallbackRef: String?)
  }

  public struct Failure: Error, Sendable {
    public var problems: [EPCISProblem]
  }

  /// The participant that makes statements whose event names none (`loam:actor`).
  public var defaultActor: String
  /// Participants the caller can sign for; an event's `loam:actor` outside this set is refused.
  public var signers: Set<String>

  public init(defaultActor: String, signers: Set<String>) {
    self.defaultActor = defaultActor
    self.signers = signers
  }

  /// The statements of every event; `source` (a file name) prefixes each item's path. Events are
  /// hashed and mapped on all cores; the result is in document order.
  public func items(from document: EPCISDocument, source: String = "") throws(Failure) -> [Item] {
    let events = document.events
    let mapped = UnsafeMutableBufferPointer<Result<[Item], EPCISProblem>>.allocate(capacity: max(events.count, 1))
    mapped.initialize(repeating: .success([]))
    defer {
      mapped.deinitialize()
      mapped.deallocate()
    }
    nonisolated(unsafe) let shared = mapped
    let chunk = max(1, events.count / 64)
    DispatchQueue.concurrentPerform(iterations: (events.count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(events.count, (part + 1) * chunk) {
        shared[index] = self.items(of: events[index], index: index, in: document, source: source)
      }
    }
    var items: [Item] = []
    var problems: [EPCISProblem] = []
    var lastShipment: [String: String] = [:]  // "lot\u{0}to" → ref of the last ship in this document
    for result in mapped.prefix(events.count) {
      switch result {
      case .failure(let problem):
        problems.append(problem)
      case .success(let mappedItems):
        for var item in mappedItems {
          let statement = item.statement.json
          if case .needsEntry(let json, let member, let ref, let lot?, nil) = item.statement, member == "shipment" {
            let key = lot + "\u{0}" + (json["actor"]?.stringValue ?? "")
            item.statement = .needsEntry(json, member: member, ref: ref, lot: lot, fallbackRef: lastShipment[key])
          }
          if statement["kind"]?.stringValue == "ship", let lot = statement["lot"]?.stringValue,
            let to = statement["to"]?.stringValue, let ref = statement["ref"]?.stringValue
          {
            lastShipment[lot + "\u{0}" + to] = ref
          }
          items.append(item)
        }
      }
    }
    if !problems.isEmpty { throw Failure(problems: problems) }
    return items
  }

  private func items(of event: JSONObject, index: Int, in document: EPCISDocument, source: String) -> Result<
    [Item], EPCISProblem
  > {
    let at =
      (source.isEmpty ? "" : "\(source) ")
      + (document.eventsPath.hasSuffix(".event") ? document.eventsPath : "\(document.eventsPath)[\(index)]")
    let hashID = document.hasher(for: event).hashID(of: event)
    do {
      return .success(
        try statements(for: event, hashID: hashID).enumerated().map { offset, pending in
          // An error declaration hashes like the event it corrects: its correction takes "#error".
          let ref = event["errorDeclaration"] != nil ? "\(hashID)#error" : offset == 0 ? hashID : "\(hashID)#\(offset)"
          var pending = pending
          pending.set("ref", .string(ref))
          return Item(path: at, hashID: hashID, statement: pending)
        })
    } catch {
      return .failure(EPCISProblem(path: at, message: error.message))
    }
  }

  struct MappingError: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }

  // MARK: Events → statements

  func statements(for event: JSONObject, hashID: String) throws(MappingError) -> [Pending] {
    let actor = event["loam:actor"]?.stringValue ?? defaultActor
    guard signers.contains(actor) else {
      throw MappingError("the event is by \(actor), and no --key given is \(actor)'s (give that participant's key)")
    }
    guard let eventTime = event["eventTime"]?.stringValue, let time = Self.utc(eventTime) else {
      throw MappingError("eventTime is not a date-time")
    }
    func statement(_ kind: StatementKind, _ members: [(String, JSONValue)]) -> JSONObject {
      var object: JSONObject = ["kind": .string(kind.rawValue), "actor": .string(actor), "time": .string(time)]
      for (key, value) in members { object[key] = value }
      return object
    }

    if let declaration = event["errorDeclaration"]?.objectValue {
      let reason =
        declaration["loam:reason"]?.stringValue ?? declaration["reason"]?.stringValue.map { "EPCIS error declaration: \($0)" }
        ?? "EPCIS error declaration"
      let declared = declaration["declarationTime"]?.stringValue.flatMap(Self.utc) ?? time
      var correction = statement(.correct, [("reason", .string(reason))])
      correction["time"] = .string(declared)
      correction["actor"] = .string(declaration["loam:actor"]?.stringValue ?? actor)
      return [.needsEntry(correction, member: "entry", ref: hashID, lot: nil, fallbackRef: nil)]
    }

    let type = event["type"]?.stringValue ?? ""
    let action = event["action"]?.stringValue
    let bizStep = Self.term(event["bizStep"]?.stringValue, "BizStep-")

    if type == "ObjectEvent", action == "ADD", bizStep == "commissioning" || bizStep == "harvesting" {
      let ilmd = event["ilmd"]?.objectValue
      guard
        let field = ilmd?["loam:field"]?.stringValue
          ?? event["bizLocation"]?["id"]?.stringValue.map({ LoamURI.id($0, .field) })
      else {
        throw MappingError("a harvest (ADD, \(bizStep ?? "")) needs its field: ilmd \"loam:field\" or a bizLocation")
      }
      let lots = try quantities(event["quantityList"], "quantityList")
      guard !lots.isEmpty else { throw MappingError("a harvest needs a quantityList with the harvested lot") }
      return lots.map { lot, quantity in
        .ready(
          statement(
            .harvest,
            [
              ("field", .string(field)), ("lot", .string(lot)),
              ("product", .string(ilmd?["loam:product"]?.stringValue ?? lot)), ("quantity", quantity),
            ]))
      }
    }

    if type == "TransformationEvent" {
      let inputs =
        try quantities(event["inputQuantityList"], "inputQuantityList")
        + epcs(event["inputEPCList"])
      let outputs =
        try quantities(event["outputQuantityList"], "outputQuantityList")
        + epcs(event["outputEPCList"])
      guard !inputs.isEmpty, !outputs.isEmpty else {
        throw MappingError("a transformation needs inputs and outputs with quantities to become a transform")
      }
      var products: [String: String] = [:]
      for item in event["ilmd"]?["loam:output"]?.arrayValue ?? [] {
        if let lot = item["loam:lot"]?.stringValue, let product = item["loam:product"]?.stringValue {
          products[lot] = product
        }
      }
      let process =
        event["loam:process"]?.stringValue ?? event["transformationID"]?.stringValue ?? bizStep ?? "transformation"
      var members: [(String, JSONValue)] = [
        ("inputs", .array(inputs.map { ["lot": .string($0.0), "quantity": $0.1] })),
        (
          "outputs",
          .array(outputs.map { ["lot": .string($0.0), "product": .string(products[$0.0] ?? $0.0), "quantity": $0.1] })
        ),
        ("process", .string(process)),
      ]
      if let conversions = event["loam:conversion"]?.arrayValue {
        members.append(
          (
            "conversions",
            .array(
              conversions.map { item in
                [
                  "from": ["value": item["loam:from"]?["loam:value"] ?? .null, "uom": item["loam:from"]?["loam:uom"] ?? .null],
                  "to": ["value": item["loam:to"]?["loam:value"] ?? .null, "uom": item["loam:to"]?["loam:uom"] ?? .null],
                ]
              })
          ))
      }
      return [.ready(statement(.transform, members))]
    }

    if type == "ObjectEvent", bizStep == "shipping" || bizStep == "departing",
      let to = Self.party(event["destinationList"], key: "destination")
    {
      let lots = try quantities(event["quantityList"], "quantityList") + epcs(event["epcList"])
      guard !lots.isEmpty else { throw MappingError("a shipment needs a quantityList or an epcList") }
      return lots.map { lot, quantity in
        .ready(statement(.ship, [("lot", .string(lot)), ("quantity", quantity), ("to", .string(to))]))
      }
    }

    if type == "ObjectEvent", bizStep == "receiving" || bizStep == "arriving" {
      let lots = try quantities(event["quantityList"], "quantityList") + epcs(event["epcList"])
      guard !lots.isEmpty else { throw MappingError("a receipt needs a quantityList or an epcList") }
      let shipHash = event["loam:shipment"]?.stringValue
      return lots.map { lot, quantity in
        .needsEntry(statement(.receive, [("quantity", quantity)]), member: "shipment", ref: shipHash, lot: lot, fallbackRef: nil)
      }
    }

    if type == "ObjectEvent", bizStep == "retail_selling" {
      let lots = try quantities(event["quantityList"], "quantityList")
      guard lots.count == 1, let (lot, quantity) = lots.first else {
        throw MappingError("a retail sale needs a quantityList with exactly one lot")
      }
      var members: [(String, JSONValue)] = [("lot", .string(lot)), ("quantity", quantity)]
      if let items = event["epcList"]?.arrayValue, !items.isEmpty {
        members.append(("items", .array(items.compactMap(\.stringValue).map { .string(LoamURI.id($0, .item)) })))
      }
      return [.ready(statement(.sell, members))]
    }

    if type == "ObjectEvent", bizStep == "sampling" || bizStep == "inspecting",
      let fieldURI = event["readPoint"]?["id"]?.stringValue, fieldURI.hasPrefix("urn:loam:field:"),
      let reports = event["sensorElementList"]?.arrayValue
    {
      let field = LoamURI.id(fieldURI, .field)
      var out: [Pending] = []
      for element in reports {
        let sampled = element["sensorMetadata"]?["time"]?.stringValue.flatMap(Self.utc) ?? time
        for report in element["sensorReport"]?.arrayValue ?? [] {
          guard let value = report["value"]?.numberValue, let type = report["type"]?.stringValue else { continue }
          let metric =
            type.hasPrefix("urn:loam:metric:")
            ? LoamURI.percentDecoded(String(type.dropFirst(16))) ?? type : Self.lastSegment(type)
          var members: [(String, JSONValue)] = [
            ("field", .string(field)), ("metric", .string(metric)), ("value", .number(value)),
            ("unit", .string(report["loam:unit"]?.stringValue ?? report["uom"]?.stringValue ?? "1")),
            ("method", .string(report["loam:method"]?.stringValue ?? "EPCIS sensor report")),
            ("sampled", .string(sampled)),
          ]
          if let depth = report["loam:depthCm"] { members.append(("depthCm", depth)) }
          if let evidence = event["loam:evidence"] { members.append(("evidence", evidence)) }
          out.append(.ready(statement(.measurement, members)))
        }
      }
      if !out.isEmpty { return out }
    }

    // No Loam meaning: kept whole as an observation of the event's first lot, never dropped.
    guard let lot = Self.firstLot(of: event) else {
      throw MappingError("the event names no lot or object to record it against (epcList, quantityList, parentID …)")
    }
    if let observation = event["loam:observation"]?.objectValue, type == "ObjectEvent", bizStep == "inspecting" {
      return [.ready(statement(.observe, [("lot", .string(lot)), ("observation", .object(observation))]))]
    }
    var original = event
    original["eventID"] = nil
    return [.ready(statement(.observe, [("lot", .string(lot)), ("observation", ["epcis": .object(original)])]))]
  }

  // MARK: Completing statements that name earlier entries

  /// Fills in the entry id a `.needsEntry` statement names; `lookup` finds the entry logged with a
  /// ref (earlier in this batch or in the ledger) and, for shipments, its lot.
  public static func complete(
    _ pending: Pending, lookup: (String) -> (id: SHA256Digest, shipmentLot: String?)?
  ) throws(Failure) -> JSONObject {
    switch pending {
    case .ready(let statement):
      return statement
    case .needsEntry(var statement, let member, let ref, let lot, let fallbackRef):
      // An event's statements take refs `hash`, `hash#1`, `hash#2` … in order: the first ref
      // not found ends the search (one lookup, not 64, for the usual one-lot shipment).
      for index in 0..<(ref == nil ? 0 : 64) {
        guard let found = lookup(index == 0 ? ref! : "\(ref!)#\(index)") else { break }
        if let lot, found.shipmentLot != lot { continue }
        statement[member] = .string(found.id.hex)
        return statement
      }
      if let fallbackRef, let found = lookup(fallbackRef), lot == nil || found.shipmentLot == lot {
        statement[member] = .string(found.id.hex)
        return statement
      }
      let what =
        member == "shipment"
        ? "no shipment of \(lot ?? "the lot") to \(statement["actor"]?.stringValue ?? "the receiver") is known (it is neither in the ledger nor earlier in this document)"
        : "the event this error declaration is about was never imported into this ledger"
      throw Failure(problems: [EPCISProblem(path: statement["ref"]?.stringValue ?? "", message: what)])
    }
  }

  // MARK: Helpers

  /// (lot, quantity) of each quantity element; a missing `uom` counts instances (H87).
  private func quantities(_ value: JSONValue?, _ name: String) throws(MappingError) -> [(String, JSONValue)] {
    var out: [(String, JSONValue)] = []
    for (index, element) in (value?.arrayValue ?? []).enumerated() {
      guard let epcClass = element["epcClass"]?.stringValue else { continue }
      guard let quantity = element["quantity"]?.numberValue else {
        throw MappingError("\(name)[\(index)] has no quantity; Loam records quantities of lots")
      }
      guard let exact = ExactDecimal(quantity), exact.isPositive else {
        throw MappingError("\(name)[\(index)].quantity \(quantity.literal) is not a positive exact decimal")
      }
      out.append(
        (
          LoamURI.id(epcClass, .lot),
          ["value": .number(exact.jsonNumber), "uom": .string(element["uom"]?.stringValue ?? "H87")]
        ))
    }
    return out
  }

  /// Instance-level EPCs, each one unit (H87) of a lot named by the EPC.
  private func epcs(_ value: JSONValue?) -> [(String, JSONValue)] {
    (value?.arrayValue ?? []).compactMap(\.stringValue).map { (LoamURI.id($0, .lot), ["value": 1, "uom": "H87"]) }
  }

  static func party(_ list: JSONValue?, key: String) -> String? {
    let parties = list?.arrayValue ?? []
    let owning = parties.first { term($0["type"]?.stringValue, "SDT-") == "owning_party" }
    let chosen = owning ?? parties.first { term($0["type"]?.stringValue, "SDT-") == "possessing_party" }
    return chosen?[key]?.stringValue.map { LoamURI.id($0, .party) }
  }

  static func firstLot(of event: JSONObject) -> String? {
    for name in ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"] {
      if let epcClass = event[name]?.arrayValue?.first?["epcClass"]?.stringValue { return LoamURI.id(epcClass, .lot) }
    }
    if let parent = event["parentID"]?.stringValue { return LoamURI.id(parent, .lot) }
    for name in ["epcList", "childEPCs", "inputEPCList", "outputEPCList"] {
      if let epc = event[name]?.arrayValue?.first?.stringValue { return LoamURI.id(epc, .lot) }
    }
    return nil
  }

  /// A CBV term as a bare word, whether written bare, as a Web URI or as a URN.
  static func term(_ value: String?, _ webPrefix: String) -> String? {
    guard let value else { return nil }
    for prefix in ["https://ref.gs1.org/cbv/" + webPrefix, "cbv:" + webPrefix] where value.hasPrefix(prefix) {
      return String(value.dropFirst(prefix.utf8.count))
    }
    if value.hasPrefix("urn:epcglobal:cbv:") { return String(value.split(separator: ":").last ?? "") }
    return value
  }

  static func lastSegment(_ uri: String) -> String {
    String(uri.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == "#" }).last ?? Substring(uri))
  }

  /// An RFC 3339 date-time with any offset → Loam's UTC `Z` form.
  static func utc(_ text: String) -> String? {
    guard let (seconds, fraction) = PreHashValue.parseDateTime(text) else { return nil }
    var nanos = 0
    for (index, digit) in fraction.utf8.prefix(9).enumerated() {
      nanos += Int(digit - 0x30) * [100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1][index]
    }
    return Timestamp(seconds: seconds, nanoseconds: Int32(nanos)).description
  }
}

extension EPCISImporter.Pending {
  /// The statement, complete or not.
  public var json: JSONObject {
    switch self {
    case .ready(let statement): statement
    case .needsEntry(let statement, _, _, _, _): statement
    }
  }

  mutating func set(_ key: String, _ value: JSONValue) {
    switch self {
    case .ready(var statement):
      statement[key] = value
      self = .ready(statement)
    case .needsEntry(var statement, let member, let ref, let lot, let fallback):
      statement[key] = value
      self = .needsEntry(statement, member: member, ref: ref, lot: lot, fallbackRef: fallback)
    }
  }
}
