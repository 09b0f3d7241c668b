import Dispatch
public import LoamCrypto

/// One thing wrong with an EPCIS document, at a JSON path (`$.epcisBody.eventList[2].action`).
public struct EPCISProblem: Error, Hashable, Sendable, CustomStringConvertible {
  public var path: String
  public var message: String

  public var description: String { "\(path): \(message)" }
}

/// Checks the structure and types the EPCIS 2.0 JSON Schema requires of a document and of the five
/// event types — required members, enumerations, patterns, `date-time` and `uri` formats, closed
/// objects (quantity elements, business transactions, sources and destinations) — and that its
/// `@context` names only the EPCIS 2.0 context Loam knows offline. Every problem is reported, each
/// with its JSON path; a document with any problem is refused whole.
///
/// GS1's schema file has no open licence, so this is written from it, not loaded; the tests check it
/// against GS1's own examples and the openepcis invalid documents where `../shared` has them.
public enum EPCISValidator {
  public static let eventTypes: Set<String> = [
    "ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent",
  ]

  public static func problems(in value: JSONValue) -> [EPCISProblem] {
    var check = Checker()
    check.document(value)
    return check.problems
  }

  // MARK: CBV 2.0 bare words (the schema's enumerations)

  static let bizSteps: Set<String> = [
    "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance",
    "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding",
    "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
    "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "shipping",
    "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading", "unpacking",
    "void_shipping", "sensor_reporting", "sampling",
  ]
  static let dispositions: Set<String> = [
    "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded", "expired",
    "in_progress", "in_transit", "inactive", "no_pedigree_match", "non_sellable_other", "partially_dispensed",
    "recalled", "reserved", "retail_sold", "returned", "sellable_accessible", "sellable_not_accessible", "stolen",
    "unknown", "available", "completeness_verified", "completeness_inferred", "conformant", "container_open",
    "mismatch_instance", "mismatch_class", "mismatch_quantity", "needs_replacement", "non_conformant", "unavailable",
  ]
  static let businessTransactionTypes: Set<String> = [
    "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd", "testres",
    "upevt",
  ]
  static let sourceDestinationTypes: Set<String> = ["owning_party", "possessing_party", "location"]
  static let errorReasons: Set<String> = ["did_not_occur", "incorrect_data"]
  static let components: Set<String> = [
    "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle", "elevation_angle",
    "easting", "northing", "latitude", "longitude", "altitude",
  ]
  static let alarms: Set<String> = ["ALARM_CONDITION", "ERROR_CONDITION"]
  static let locationMembers: Set<String> = ["id"]
  /// The members each event type may have besides extensions, built once (built per event, the
  /// sets were a sixth of the validation's time).
  static let eventMembers: [String: Set<String>] = {
    let common: Set<String> = [
      "@context", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "certificationInfo",
      "errorDeclaration", "bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation",
      "bizTransactionList", "sourceList", "destinationList", "sensorElementList",
    ]
    let transformation: Set<String> = [
      "inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID", "ilmd",
    ]
    return [
      "ObjectEvent": common.union(["epcList", "quantityList", "action", "ilmd"]),
      "AggregationEvent": common.union(["parentID", "childEPCs", "childQuantityList", "action"]),
      "AssociationEvent": common.union(["parentID", "childEPCs", "childQuantityList", "action"]),
      "TransactionEvent": common.union(["parentID", "epcList", "quantityList", "action"]),
      "TransformationEvent": common.union(transformation),
    ]
  }()
}

private struct Checker {
  var problems: [EPCISProblem] = []

  mutating func fail(_ path: String, _ message: String) {
    problems.append(EPCISProblem(path: path, message: message))
  }

  // MARK: Documents

  mutating func document(_ value: JSONValue) {
    guard let doc = value.objectValue else { return fail("$", "an EPCIS document is a JSON object") }
    context(doc["@context"], "$.@context", required: true)
    let type = doc["type"]?.stringValue
    switch type {
    case "EPCISDocument":
      allowed(
        doc, "$",
        [
          "@context", "id", "type", "schemaVersion", "creationDate", "instanceIdentifier", "sender", "receiver",
          "epcisHeader", "epcisBody",
        ])
      version(doc["schemaVersion"], "$.schemaVersion", required: true)
      time(doc["creationDate"], "$.creationDate", required: true)
      for key in ["instanceIdentifier", "sender", "receiver"] { string(doc[key], "$.\(key)") }
      guard let body = object(doc["epcisBody"], "$.epcisBody", required: true) else { return }
      if let list = body["eventList"] {
        eventList(list, "$.epcisBody.eventList")
      } else if let event = body["event"] {
        self.event(event, "$.epcisBody.event")
      } else {
        fail("$.epcisBody", "required member \"eventList\" is missing")
      }
    case "EPCISQueryDocument":
      allowed(doc, "$", ["@context", "id", "type", "schemaVersion", "creationDate", "epcisBody"])
      version(doc["schemaVersion"], "$.schemaVersion", required: false)
      time(doc["creationDate"], "$.creationDate", required: false)
      guard let body = object(doc["epcisBody"], "$.epcisBody", required: true),
        let results = object(body["queryResults"], "$.epcisBody.queryResults", required: true)
      else { return }
      string(results["queryName"], "$.epcisBody.queryResults.queryName", required: true)
      guard let resultsBody = object(results["resultsBody"], "$.epcisBody.queryResults.resultsBody", required: true)
      else { return }
      guard let list = resultsBody["eventList"] else {
        return fail("$.epcisBody.queryResults.resultsBody", "required member \"eventList\" is missing")
      }
      eventList(list, "$.epcisBody.queryResults.resultsBody.eventList")
    case nil:
      fail("$.type", doc["type"] == nil ? "required member \"type\" is missing" : "must be a string")
    default:
      fail("$.type", "\"\(type!)\" is not an EPCIS document type (EPCISDocument or EPCISQueryDocument)")
    }
  }

  mutating func context(_ value: JSONValue?, _ path: @autoclosure () -> String, required: Bool) {
    guard let value else {
      if required { fail("$", "required member \"@context\" is missing (the EPCIS 2.0 JSON-LD context)") }
      return
    }
    let items = value.arrayValue ?? [value]
    for (index, item) in items.enumerated() {
      let itemPath = value.arrayValue == nil ? path() : "\(path())[\(index)]"
      switch item {
      case .string(let url):
        if !EPCISDocument.standardContexts.contains(url) {
          fail(
            itemPath,
            "unknown context \"\(url)\": Loam resolves only the EPCIS 2.0 context (\(EPCISDocument.context)) offline")
        }
      case .object:
        break  // namespace declarations and term definitions
      default:
        fail(itemPath, "a context is a URL or an object of namespace declarations")
      }
    }
  }

  /// Events are checked on all cores; problems keep document order.
  mutating func eventList(_ value: JSONValue, _ path: @autoclosure () -> String) {
    guard let events = value.arrayValue else { return fail(path(), "must be an array of events") }
    let listPath = path()  // once per document, for the threads
    let chunk = max(256, events.count / 64)
    let parts = (events.count + chunk - 1) / chunk
    let found = UnsafeMutableBufferPointer<[EPCISProblem]>.allocate(capacity: max(parts, 1))
    found.initialize(repeating: [])
    defer {
      found.deinitialize()
      found.deallocate()
    }
    nonisolated(unsafe) let shared = found
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      var checker = Checker()
      for index in (part * chunk)..<min(events.count, (part + 1) * chunk) {
        checker.event(events[index], "\(listPath)[\(index)]")
      }
      shared[part] = checker.problems
    }
    for part in found.prefix(parts) { problems += part }
  }

  // MARK: Events

  mutating func event(_ value: JSONValue, _ path: @autoclosure () -> String) {
    guard let event = value.objectValue else { return fail(path(), "an event is a JSON object") }
    guard let type = event["type"]?.stringValue else {
      return fail("\(path()).type", "required member \"type\" is missing")
    }
    guard EPCISValidator.eventTypes.contains(type) else {
      return fail("\(path()).type", "\"\(type)\" is not one of the five EPCIS 2.0 event types")
    }
    if event["@context"] != nil { context(event["@context"], "\(path()).@context", required: false) }
    time(event["eventTime"], "\(path()).eventTime", required: true)
    time(event["recordTime"], "\(path()).recordTime", required: false)
    timeZoneOffset(event["eventTimeZoneOffset"], "\(path()).eventTimeZoneOffset")
    uri(event["eventID"], "\(path()).eventID")
    if let info = event["certificationInfo"] {
      if let list = info.arrayValue {
        for (index, item) in list.enumerated() { uri(item, "\(path()).certificationInfo[\(index)]") }
      } else {
        uri(info, "\(path()).certificationInfo")
      }
    }
    if let declaration = object(event["errorDeclaration"], "\(path()).errorDeclaration", required: false) {
      func at() -> String { "\(path()).errorDeclaration" }
      time(declaration["declarationTime"], "\(at()).declarationTime", required: true)
      vocabulary(declaration["reason"], "\(at()).reason", EPCISValidator.errorReasons)
      uriList(declaration["correctiveEventIDs"], "\(at()).correctiveEventIDs", minimum: 0)
      extensionsOnly(declaration, at(), except: ["declarationTime", "reason", "correctiveEventIDs"])
    }
    let action = event["action"]
    if type != "TransformationEvent" {
      if let action {
        if let text = action.stringValue, ["OBSERVE", "ADD", "DELETE"].contains(text) {
        } else {
          fail("\(path()).action", "\(Self.show(action)) is not one of OBSERVE, ADD, DELETE")
        }
      } else {
        fail(path(), "required member \"action\" is missing")
      }
    }
    vocabulary(event["bizStep"], "\(path()).bizStep", EPCISValidator.bizSteps)
    vocabulary(event["disposition"], "\(path()).disposition", EPCISValidator.dispositions)
    persistentDisposition(event["persistentDisposition"], "\(path()).persistentDisposition")
    location(event["readPoint"], "\(path()).readPoint")
    location(event["bizLocation"], "\(path()).bizLocation")
    typedList(event["bizTransactionList"], "\(path()).bizTransactionList", key: "bizTransaction", typeRequired: false)
    typedList(event["sourceList"], "\(path()).sourceList", key: "source", typeRequired: true)
    typedList(event["destinationList"], "\(path()).destinationList", key: "destination", typeRequired: true)
    sensorElements(event["sensorElementList"], "\(path()).sensorElementList")
    if let ilmd = event["ilmd"], ilmd.objectValue == nil { fail("\(path()).ilmd", "must be an object") }

    switch type {
    case "ObjectEvent":
      uriList(event["epcList"], "\(path()).epcList", minimum: 0, unique: true)
      quantityList(event["quantityList"], "\(path()).quantityList")
      let hasEPCs = event["epcList"]?.arrayValue != nil
      let hasQuantities = (event["quantityList"]?.arrayValue?.count ?? 0) >= 1
      let hasSensors = (event["sensorElementList"]?.arrayValue?.count ?? 0) >= 1 && event["readPoint"] != nil
      if !hasEPCs && !hasQuantities && !hasSensors {
        fail(path(), "an ObjectEvent needs an \"epcList\", a non-empty \"quantityList\", or sensor data at a readPoint")
      }
      if event["ilmd"] != nil, let text = action?.stringValue, text != "ADD" {
        fail("\(path()).ilmd", "ilmd is allowed only when action is ADD")
      }
    case "AggregationEvent", "AssociationEvent":
      uri(event["parentID"], "\(path()).parentID")
      uriList(event["childEPCs"], "\(path()).childEPCs", minimum: 0)
      quantityList(event["childQuantityList"], "\(path()).childQuantityList")
    case "TransactionEvent":
      uri(event["parentID"], "\(path()).parentID")
      uriList(event["epcList"], "\(path()).epcList", minimum: 0)
      quantityList(event["quantityList"], "\(path()).quantityList")
      if (event["bizTransactionList"]?.arrayValue?.count ?? 0) < 1 {
        fail(path(), "a TransactionEvent needs a non-empty \"bizTransactionList\"")
      }
    default:  // TransformationEvent
      uriList(event["inputEPCList"], "\(path()).inputEPCList", minimum: 0, unique: true)
      uriList(event["outputEPCList"], "\(path()).outputEPCList", minimum: 0, unique: true)
      quantityList(event["inputQuantityList"], "\(path()).inputQuantityList")
      quantityList(event["outputQuantityList"], "\(path()).outputQuantityList")
      uri(event["transformationID"], "\(path()).transformationID")
      let lists = ["inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList"]
      let hasLists = lists.contains { (event[$0]?.arrayValue?.count ?? 0) >= 1 }
      if !hasLists && event["transformationID"] == nil {
        fail(path(), "a TransformationEvent needs inputs or outputs (EPC or quantity lists) or a \"transformationID\"")
      }
    }
    extensionsOnly(event, path(), except: EPCISValidator.eventMembers[type] ?? [])
  }

  mutating func quantityList(_ value: JSONValue?, _ path: @autoclosure () -> String) {
    guard let value else { return }
    guard let items = value.arrayValue else { return fail(path(), "must be an array of quantity elements") }
    for (index, item) in items.enumerated() {
      func at() -> String { "\(path())[\(index)]" }
      guard let element = item.objectValue else {
        fail(at(), "a quantity element is an object")
        continue
      }
      uri(element["epcClass"], "\(at()).epcClass", required: true)
      if let quantity = element["quantity"], quantity.numberValue == nil {
        fail("\(at()).quantity", "\(Self.show(quantity)) is not a number")
      }
      if let uom = element["uom"] {
        let ok = uom.stringValue.map { text in
          (2...3).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
        }
        if ok != true { fail("\(at()).uom", "\(Self.show(uom)) is not a UN/ECE Rec 20 code (2–3 capitals or digits)") }
      }
      for member in element.members where !["epcClass", "quantity", "uom"].contains(member.key) {
        fail("\(at()).\(member.key)", "unknown member of a quantity element (allowed: epcClass, quantity, uom)")
      }
    }
  }

  mutating func persistentDisposition(_ value: JSONValue?, _ path: @autoclosure () -> String) {
    guard let object = object(value, path(), required: false) else { return }
    if object["set"] == nil && object["unset"] == nil { fail(path(), "needs \"set\" or \"unset\"") }
    for member in object.members {
      guard member.key == "set" || member.key == "unset" else {
        fail("\(path()).\(member.key)", "unknown member (allowed: set, unset)")
        continue
      }
      guard let items = member.value.arrayValue, !items.isEmpty else {
        fail("\(path()).\(member.key)", "must be a non-empty array of dispositions")
        continue
      }
      for (index, item) in items.enumerated() {
        vocabulary(item, "\(path()).\(member.key)[\(index)]", EPCISValidator.dispositions)
      }
    }
  }

  mutating func location(_ value: JSONValue?, _ path: @autoclosure () -> String) {
    guard let object = object(value, path(), required: false) else { return }
    uri(object["id"], "\(path()).id", required: true)
    extensionsOnly(object, path(), except: EPCISValidator.locationMembers)
  }

  mutating func typedList(_ value: JSONValue?, _ path: @autoclosure () -> String, key: String, typeRequired: Bool) {
    guard let value else { return }
    guard let items = value.arrayValue else { return fail(path(), "must be an array") }
    let types = key == "bizTransaction" ? EPCISValidator.businessTransactionTypes : EPCISValidator.sourceDestinationTypes
    for (index, item) in items.enumerated() {
      func at() -> String { "\(path())[\(index)]" }
      guard let object = item.objectValue else {
        fail(at(), "must be an object with \"\(key)\"\(typeRequired ? " and \"type\"" : "")")
        continue
      }
      uri(object[key], "\(at()).\(key)", required: true)
      if typeRequired && object["type"] == nil { fail(at(), "required member \"type\" is missing") }
      vocabulary(object["type"], "\(at()).type", types)
      for member in object.members where member.key != key && member.key != "type" {
        fail("\(at()).\(member.key)", "unknown member (allowed: type, \(key))")
      }
    }
  }

  mutating func sensorElements(_ value: JSONValue?, _ path: @autoclosure () -> String) {
    guard let value else { return }
    guard let items = value.arrayValue else { return fail(path(), "must be an array of sensor elements") }
    for (index, item) in items.enumerated() {
      func at() -> String { "\(path())[\(index)]" }
      guard let element = item.objectValue else {
        fail(at(), "a sensor element is an object")
        continue
      }
      if let metadata = object(element["sensorMetadata"], "\(at()).sensorMetadata", required: false) {
        let m = "\(at()).sensorMetadata"
        for key in ["time", "startTime", "endTime"] { time(metadata[key], "\(m).\(key)", required: false) }
        for key in ["deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"] {
          uri(metadata[key], "\(m).\(key)")
        }
        extensionsOnly(
          metadata, m,
          except: ["time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"])
      }
      guard let reports = element["sensorReport"]?.arrayValue, !reports.isEmpty else {
        fail("\(at()).sensorReport", "required: a non-empty array of sensor reports")
        continue
      }
      for (number, report) in reports.enumerated() { sensorReport(report, "\(at()).sensorReport[\(number)]") }
      extensionsOnly(element, at(), except: ["sensorMetadata", "sensorReport"])
    }
  }

  mutating func sensorReport(_ value: JSONValue, _ path: @autoclosure () -> String) {
    guard let report = value.objectValue else { return fail(path(), "a sensor report is an object") }
    time(report["time"], "\(path()).time", required: false)
    for key in [
      "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "microorganism", "chemicalSubstance",
      "coordinateReferenceSystem", "uriValue",
    ] {
      uri(report[key], "\(path()).\(key)")
    }
    for key in ["value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"] {
      if let number = report[key], number.numberValue == nil { fail("\(path()).\(key)", "\(Self.show(number)) is not a number") }
    }
    if let flag = report["booleanValue"], flag.boolValue == nil { fail("\(path()).booleanValue", "must be true or false") }
    if let text = report["hexBinaryValue"],
      text.stringValue.map({ !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }) != true
    {
      fail("\(path()).hexBinaryValue", "must be hexadecimal digits")
    }
    string(report["stringValue"], "\(path()).stringValue")
    string(report["uom"], "\(path()).uom")
    vocabulary(report["component"], "\(path()).component", EPCISValidator.components)
    vocabulary(report["exception"], "\(path()).exception", EPCISValidator.alarms)
    if let type = report["type"], type.stringValue == nil { fail("\(path()).type", "must be a string") }
  }

  // MARK: Values

  /// Members not in `except` must be namespaced extensions (`prefix:name` or an absolute IRI).
  mutating func extensionsOnly(_ object: JSONObject, _ path: @autoclosure () -> String, except: Set<String>) {
    for member in object.members where !except.contains(member.key) && !URIFormat.isValid(member.key) {
      fail("\(path()).\(member.key)", "unknown member; an extension needs a namespace prefix (\"ext:\(member.key)\")")
    }
  }

  /// `$.a.b` missing: reported at `$.a`, naming `b`.
  mutating func missing(_ path: String) {
    let parts = path.split(separator: ".")
    fail(parts.dropLast().joined(separator: "."), "required member \"\(parts.last ?? "")\" is missing")
  }

  mutating func allowed(_ object: JSONObject, _ path: @autoclosure () -> String, _ keys: Set<String>) {
    extensionsOnly(object, path(), except: keys)
  }

  mutating func object(_ value: JSONValue?, _ path: @autoclosure () -> String, required: Bool) -> JSONObject? {
    guard let value else {
      if required { fail(path(), "required member is missing") }
      return nil
    }
    guard let object = value.objectValue else {
      fail(path(), "must be an object")
      return nil
    }
    return object
  }

  mutating func string(_ value: JSONValue?, _ path: @autoclosure () -> String, required: Bool = false) {
    guard let value else {
      if required { fail(path(), "required member is missing") }
      return
    }
    if value.stringValue == nil { fail(path(), "must be a string") }
  }

  mutating func version(_ value: JSONValue?, _ path: @autoclosure () -> String, required: Bool) {
    guard let value else {
      if required { fail(path(), "required member is missing (e.g. \"2.0\")") }
      return
    }
    let ok = value.stringValue.map { text in
      !text.isEmpty
        && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
          !part.isEmpty && part.allSatisfy(\.isASCIIDigitCharacter)
        }
    }
    if ok != true { fail(path(), "\(Self.show(value)) is not a version such as \"2.0\"") }
  }

  mutating func time(_ value: JSONValue?, _ path: @autoclosure () -> String, required: Bool) {
    guard let value else {
      if required {
        missing(path())
      }
      return
    }
    guard let text = value.stringValue, Self.isDateTime(text) else {
      return fail(path(), "\(Self.show(value)) is not an RFC 3339 date-time (e.g. 2026-09-14T07:30:00+02:00)")
    }
  }

  mutating func timeZoneOffset(_ value: JSONValue?, _ path: @autoclosure () -> String) {
    guard let value else {
      return missing(path())
    }
    let bytes = Array((value.stringValue ?? "").utf8)
    var ok = false
    if bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
      let hours = Int(String(decoding: bytes[1...2], as: UTF8.self)),
      let minutes = Int(String(decoding: bytes[4...5], as: UTF8.self)),
      bytes[1...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), bytes[4...5].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
    {
      ok = (hours <= 13 && minutes <= 59) || (hours == 14 && minutes == 0)
    }
    if !ok { fail(path(), "\(Self.show(value)) is not a time zone offset such as \"+02:00\"") }
  }

  mutating func uri(_ value: JSONValue?, _ path: @autoclosure () -> String, required: Bool = false) {
    guard let value else {
      if required {
        missing(path())
      }
      return
    }
    guard let text = value.stringValue, URIFormat.isValid(text) else {
      return fail(path(), "\(Self.show(value)) is not a URI")
    }
  }

  mutating func uriList(_ value: JSONValue?, _ path: @autoclosure () -> String, minimum: Int, unique: Bool = false) {
    guard let value else { return }
    guard let items = value.arrayValue else { return fail(path(), "must be an array of URIs") }
    if items.count < minimum { fail(path(), "needs at least \(minimum) element(s)") }
    for (index, item) in items.enumerated() { uri(item, "\(path())[\(index)]") }
    if unique && Set(items).count != items.count { fail(path(), "elements must be unique") }
  }

  /// A CBV bare word from `words`, or a URI outside the CBV's URN and ns.gs1.org spaces.
  mutating func vocabulary(_ value: JSONValue?, _ path: @autoclosure () -> String, _ words: Set<String>) {
    guard let value else { return }
    guard let text = value.stringValue else { return fail(path(), "must be a string") }
    if words.contains(text) { return }
    if URIFormat.isValid(text), !text.hasPrefix("urn:epcglobal:cbv"), !text.hasPrefix("https://ns.gs1.org/cbv/"),
      !text.hasPrefix("http://ns.gs1.org/cbv/")
    {
      return
    }
    fail(path(), "\"\(text)\" is neither a CBV 2.0 term nor a URI of another vocabulary")
  }

  // MARK: Formats

  /// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, a real calendar date.
  static func isDateTime(_ text: String) -> Bool {
    PreHashValue.parseDateTime(text) != nil
  }

  static func show(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): "\"\(text)\""
    case .number(let number): number.literal
    case .bool(let flag): flag ? "true" : "false"
    case .null: "null"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

extension Character {
  fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
