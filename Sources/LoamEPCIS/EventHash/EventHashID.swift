public import LoamCrypto

/// The EPCIS Event Hash ID (CBV 2.0 §8.9): a representation-independent fingerprint of one event,
/// `ni:///sha-256;<hex>?ver=CBV2.0`, the SHA-256 of its canonical pre-hash string.
///
/// The pre-hash string lists the event's data elements in the canonical property order, each
/// `key=value`, lists written once by name with their elements sorted by UTF-8 bytes, user
/// extensions as `{namespace}local=value` sorted after the standard fields (and at the end of the
/// `readPoint`, `bizLocation` and sensor element that carries them). `eventID`, `recordTime`,
/// `errorDeclaration` and comments are not part of it: declaring an error never changes an ID.
public struct EventHashID: Sendable {
  /// Prefix → namespace IRI, from the document's `@context`.
  public var namespaces: [String: String]

  public init(namespaces: [String: String] = [:]) {
    self.namespaces = namespaces
  }

  public func hashID(of event: JSONObject) -> String {
    var writer = PreHashWriter()
    write(event, into: &writer)
    let digest = SHA256.hash(writer.bytes)
    return "ni:///sha-256;\(digest.hex)?ver=CBV2.0"
  }

  public func preHashString(of event: JSONObject) -> String {
    var writer = PreHashWriter()
    write(event, into: &writer)
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  func write(_ event: JSONObject, into w: inout PreHashWriter) {
    w.write("eventType=")
    if let type = event["type"]?.stringValue { w.write(type) }
    time("eventTime", event["eventTime"], &w)
    scalar("eventTimeZoneOffset", event["eventTimeZoneOffset"], raw: true, &w)
    w.sorted(event["certificationInfo"].map(asArray) ?? []) { scalar("certificationInfo", $1, &$0) }
    list("epcList", event["epcList"]?.arrayValue, &w) { scalar("epc", $1, &$0) }
    scalar("parentID", event["parentID"], &w)
    list("inputEPCList", event["inputEPCList"]?.arrayValue, &w) { scalar("epc", $1, &$0) }
    list("childEPCs", event["childEPCs"]?.arrayValue, &w) { scalar("epc", $1, &$0) }
    for name in ["quantityList", "childQuantityList", "inputQuantityList"] {
      list(name, event[name]?.arrayValue, &w, quantityElement)
    }
    list("outputEPCList", event["outputEPCList"]?.arrayValue, &w) { scalar("epc", $1, &$0) }
    list("outputQuantityList", event["outputQuantityList"]?.arrayValue, &w, quantityElement)
    scalar("action", event["action"], raw: true, &w)
    scalar("transformationID", event["transformationID"], &w)
    scalar("bizStep", event["bizStep"], vocabulary: .bizStep, &w)
    scalar("disposition", event["disposition"], vocabulary: .disposition, &w)
    if let persistent = event["persistentDisposition"]?.objectValue {
      w.named("persistentDisposition") { w in
        for name in ["set", "unset"] {
          w.sorted(persistent[name].map(asArray) ?? []) { scalar(name, $1, vocabulary: .disposition, &$0) }
        }
      }
    }
    location("readPoint", event["readPoint"], &w)
    location("bizLocation", event["bizLocation"], &w)
    list("sensorElementList", event["sensorElementList"]?.arrayValue, &w, sensorElement)
    // The reference implementation (whose output the published vectors are) writes these four with
    // the user extensions, all sorted together: destinationList before sourceList, ilmd between.
    let tail = w.beginSorted()
    extensionParts(of: event, excluding: Self.eventFields, &w)
    for (name, key, vocabulary) in Self.partyLists {
      w.part { list(name, event[name]?.arrayValue, &$0) { typed($1, key: key, vocabulary: vocabulary, &$0) } }
    }
    if let ilmd = event["ilmd"]?.objectValue {
      w.part { $0.named("ilmd") { extensions(of: ilmd, excluding: [], &$0) } }
    }
    w.endSorted(tail)
  }

  /// The typed lists written with the user extensions: (list, identifier member, its type's vocabulary).
  private static let partyLists: [(String, String, PreHashValue.Vocabulary)] = [
    ("bizTransactionList", "bizTransaction", .businessTransactionType),
    ("sourceList", "source", .sourceDestinationType),
    ("destinationList", "destination", .sourceDestinationType),
  ]

  /// Every member an event may carry that is not a user extension.
  static let eventFields: Set<String> = [
    "type", "eventID", "recordTime", "eventTime", "eventTimeZoneOffset", "certificationInfo", "epcList",
    "parentID", "inputEPCList", "childEPCs", "quantityList", "childQuantityList", "inputQuantityList",
    "outputEPCList", "outputQuantityList", "action", "transformationID", "bizStep", "disposition",
    "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
    "sensorElementList", "ilmd", "errorDeclaration", "@context", "rdfs:comment", "comment",
  ]

  // MARK: Standard fields

  private func scalar(
    _ key: String, _ value: JSONValue?, raw: Bool = false, vocabulary: PreHashValue.Vocabulary? = nil,
    _ w: inout PreHashWriter
  ) {
    guard let value else { return }
    if raw, let text = value.stringValue {
      w.named(key, separator: UInt8(ascii: "=")) { $0.write(PreHashValue.trimmed(text)) }
      return
    }
    scalar(key, value, vocabulary: vocabulary, &w)
  }

  /// `key=value` for a scalar whose canonical text is not empty; nothing otherwise.
  private func scalar(_ key: String, _ value: JSONValue, vocabulary: PreHashValue.Vocabulary? = nil, _ w: inout PreHashWriter) {
    w.named(key, separator: UInt8(ascii: "=")) { PreHashValue.write(value, vocabulary: vocabulary, into: &$0) }
  }

  private func time(_ key: String, _ value: JSONValue?, _ w: inout PreHashWriter) {
    guard let text = value?.stringValue else { return }
    w.named(key, separator: UInt8(ascii: "=")) { PreHashValue.writeTime(text, into: &$0) }
  }

  /// `name` and the elements in byte order; nothing when no element writes anything.
  private func list(
    _ name: String, _ elements: [JSONValue]?, _ w: inout PreHashWriter, _ render: (inout PreHashWriter, JSONValue) -> Void
  ) {
    guard let elements, !elements.isEmpty else { return }
    w.named(name) { $0.sorted(elements, render) }
  }

  private func quantityElement(_ w: inout PreHashWriter, _ value: JSONValue) {
    guard let element = value.objectValue else { return }
    w.named("quantityElement") { w in
      scalar("epcClass", element["epcClass"], &w)
      scalar("quantity", element["quantity"], &w)
      scalar("uom", element["uom"], &w)
    }
  }

  private func location(_ name: String, _ value: JSONValue?, _ w: inout PreHashWriter) {
    guard let object = value?.objectValue else { return }
    w.named(name) { w in
      scalar("id", object["id"], &w)
      extensions(of: object, excluding: ["id"], &w)
    }
  }

  /// `bizTransaction`, `source`, `destination`: the type first, then the identifier.
  private func typed(_ value: JSONValue, key: String, vocabulary: PreHashValue.Vocabulary, _ w: inout PreHashWriter) {
    guard let object = value.objectValue else { return }
    scalar("type", object["type"], vocabulary: vocabulary, &w)
    scalar(key, object[key], &w)
  }

  private static let metadataOrder = [
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules",
  ]
  private static let reportOrder = [
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism",
    "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
    "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
  ]
  private static let metadataFields = Set(metadataOrder)
  private static let reportFields = Set(reportOrder)

  private func sensorElement(_ w: inout PreHashWriter, _ value: JSONValue) {
    guard let element = value.objectValue else { return }
    w.named("sensorElement") { w in
      if let metadata = element["sensorMetadata"]?.objectValue {
        w.named("sensorMetadata") { w in
          ordered(metadata, Self.metadataOrder, &w)
          extensions(of: metadata, excluding: Self.metadataFields, &w)
        }
      }
      w.sorted(element["sensorReport"]?.arrayValue ?? []) { w, report in
        guard let report = report.objectValue else { return }
        w.named("sensorReport") { w in
          ordered(report, Self.reportOrder, &w)
          extensions(of: report, excluding: Self.reportFields, &w)
        }
      }
      extensions(of: element, excluding: ["sensorMetadata", "sensorReport"], &w)
    }
  }

  private func ordered(_ object: JSONObject, _ order: [String], _ w: inout PreHashWriter) {
    for key in order {
      guard let value = object[key] else { continue }
      if key.lowercased().hasSuffix("time") {
        time(key, value, &w)
        continue
      }
      let vocabulary: PreHashValue.Vocabulary? =
        switch key {
        case "type": .measurementType
        case "exception": .sensorAlarm
        case "component": .component
        default: nil
        }
      scalar(key, value, vocabulary: vocabulary, &w)
    }
  }

  // MARK: User extensions

  /// Every member not in `excluding`, as `{namespace}local[=value]` plus its children, sorted.
  private func extensions(of object: JSONObject, excluding: Set<String>, _ w: inout PreHashWriter) {
    let list = w.beginSorted()
    extensionParts(of: object, excluding: excluding, &w)
    w.endSorted(list)
  }

  /// The extension members of `object`, each an element of the list being written.
  private func extensionParts(of object: JSONObject, excluding: Set<String>, _ w: inout PreHashWriter) {
    for member in object.members where !member.key.hasPrefix("@") && !excluding.contains(member.key) {
      let name = expandedName(member.key)
      collect(name: name, value: member.value, &w)
    }
  }

  private func collect(name: String, value: JSONValue, _ w: inout PreHashWriter) {
    switch value {
    case .array(let elements):
      for element in elements { collect(name: name, value: element, &w) }
    case .object(let object):
      w.part { w in
        w.write(name)
        extensions(of: object, excluding: [], &w)
      }
    case .null:
      w.part { $0.write(name) }
    default:
      // `name=value`, or the name alone when the value is empty.
      w.part { w in
        w.write(name)
        w.named("=") { PreHashValue.write(value, into: &$0) }
      }
    }
  }

  /// `prefix:local` → `{namespace}local` when the document declares the prefix.
  func expandedName(_ key: String) -> String {
    // By byte, as the reference implementation splits on the code point (and a Character scan is slow).
    guard let colon = key.utf8.firstIndex(of: UInt8(ascii: ":")) else { return key }
    let prefix = String(key[..<colon])
    guard let namespace = namespaces[prefix] ?? Self.wellKnownNamespaces[prefix] else { return key }
    return "{\(namespace)}\(key[key.index(after: colon)...])"
  }

  static let wellKnownNamespaces: [String: String] = [
    "gs1": "https://gs1.org/voc/", "cbv": "https://ref.gs1.org/cbv/", "epcis": "https://ref.gs1.org/epcis/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
  ]

  // MARK: Helpers

  private func asArray(_ value: JSONValue) -> [JSONValue] { value.arrayValue ?? [value] }
}
