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
    let digest = SHA256.hash(Array(preHashString(of: event).utf8))
    return "ni:///sha-256;\(digest.hex)?ver=CBV2.0"
  }

  public func preHashString(of event: JSONObject) -> String {
    var out = "eventType=" + (event["type"]?.stringValue ?? "")
    out += time("eventTime", event["eventTime"])
    out += scalar("eventTimeZoneOffset", event["eventTimeZoneOffset"], raw: true)
    out += list(nil, event["certificationInfo"].map(asArray) ?? []) { scalarText("certificationInfo", $0) }
    out += list("epcList", event["epcList"]?.arrayValue) { scalarText("epc", $0) }
    out += scalar("parentID", event["parentID"])
    out += list("inputEPCList", event["inputEPCList"]?.arrayValue) { scalarText("epc", $0) }
    out += list("childEPCs", event["childEPCs"]?.arrayValue) { scalarText("epc", $0) }
    for name in ["quantityList", "childQuantityList", "inputQuantityList"] {
      out += list(name, event[name]?.arrayValue, quantityElement)
    }
    out += list("outputEPCList", event["outputEPCList"]?.arrayValue) { scalarText("epc", $0) }
    out += list("outputQuantityList", event["outputQuantityList"]?.arrayValue, quantityElement)
    out += scalar("action", event["action"], raw: true)
    out += scalar("transformationID", event["transformationID"])
    out += scalar("bizStep", event["bizStep"], vocabulary: .bizStep)
    out += scalar("disposition", event["disposition"], vocabulary: .disposition)
    if let persistent = event["persistentDisposition"]?.objectValue {
      var inner = ""
      for name in ["set", "unset"] {
        inner += list(nil, persistent[name].map(asArray) ?? []) { scalarText(name, $0, vocabulary: .disposition) }
      }
      if !inner.isEmpty { out += "persistentDisposition" + inner }
    }
    out += location("readPoint", event["readPoint"])
    out += location("bizLocation", event["bizLocation"])
    out += list("sensorElementList", event["sensorElementList"]?.arrayValue, sensorElement)
    // The reference implementation (whose output the published vectors are) writes these four with
    // the user extensions, all sorted together: destinationList before sourceList, ilmd between.
    var tail = extensionParts(of: event, excluding: Self.eventFields)
    tail.append(
      list("bizTransactionList", event["bizTransactionList"]?.arrayValue) {
        typed($0, key: "bizTransaction", vocabulary: .businessTransactionType)
      })
    tail.append(
      list("sourceList", event["sourceList"]?.arrayValue) {
        typed($0, key: "source", vocabulary: .sourceDestinationType)
      })
    tail.append(
      list("destinationList", event["destinationList"]?.arrayValue) {
        typed($0, key: "destination", vocabulary: .sourceDestinationType)
      })
    if let ilmd = event["ilmd"]?.objectValue {
      let inner = extensions(of: ilmd, excluding: [])
      if !inner.isEmpty { tail.append("ilmd" + inner) }
    }
    out += Self.sorted(tail.filter { !$0.isEmpty }).joined()
    return out
  }

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
    _ key: String, _ value: JSONValue?, raw: Bool = false, vocabulary: PreHashValue.Vocabulary? = nil
  ) -> String {
    guard let value else { return "" }
    if raw, let text = value.stringValue {
      let trimmed = PreHashValue.trimmed(text)
      return trimmed.isEmpty ? "" : "\(key)=\(trimmed)"
    }
    return scalarText(key, value, vocabulary: vocabulary)
  }

  private func scalarText(_ key: String, _ value: JSONValue, vocabulary: PreHashValue.Vocabulary? = nil) -> String {
    guard let scalar = Self.scalar(value) else { return "" }
    let text = PreHashValue.canonical(scalar, vocabulary: vocabulary)
    return text.isEmpty ? "" : "\(key)=\(text)"
  }

  private func time(_ key: String, _ value: JSONValue?) -> String {
    guard let text = value?.stringValue else { return "" }
    let normalised = PreHashValue.time(text)
    return normalised.isEmpty ? "" : "\(key)=\(normalised)"
  }

  private func list(_ name: String?, _ elements: [JSONValue]?, _ render: (JSONValue) -> String) -> String {
    let parts = (elements ?? []).map(render).filter { !$0.isEmpty }
    guard !parts.isEmpty else { return "" }
    return (name ?? "") + Self.sorted(parts).joined()
  }

  private func quantityElement(_ value: JSONValue) -> String {
    guard let element = value.objectValue else { return "" }
    let inner =
      scalar("epcClass", element["epcClass"]) + scalar("quantity", element["quantity"]) + scalar("uom", element["uom"])
    return inner.isEmpty ? "" : "quantityElement" + inner
  }

  private func location(_ name: String, _ value: JSONValue?) -> String {
    guard let object = value?.objectValue else { return "" }
    let inner = scalar("id", object["id"]) + extensions(of: object, excluding: ["id"])
    return inner.isEmpty ? "" : name + inner
  }

  /// `bizTransaction`, `source`, `destination`: the type first, then the identifier.
  private func typed(_ value: JSONValue, key: String, vocabulary: PreHashValue.Vocabulary) -> String {
    guard let object = value.objectValue else { return "" }
    return scalar("type", object["type"], vocabulary: vocabulary) + scalar(key, object[key])
  }

  private static let metadataOrder = [
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules",
  ]
  private static let reportOrder = [
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism",
    "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
    "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
  ]

  private func sensorElement(_ value: JSONValue) -> String {
    guard let element = value.objectValue else { return "" }
    var inner = ""
    if let metadata = element["sensorMetadata"]?.objectValue {
      let fields = ordered(metadata, Self.metadataOrder) + extensions(of: metadata, excluding: Set(Self.metadataOrder))
      if !fields.isEmpty { inner += "sensorMetadata" + fields }
    }
    inner += list(nil, element["sensorReport"]?.arrayValue) { report in
      guard let report = report.objectValue else { return "" }
      let fields = ordered(report, Self.reportOrder) + extensions(of: report, excluding: Set(Self.reportOrder))
      return fields.isEmpty ? "" : "sensorReport" + fields
    }
    inner += extensions(of: element, excluding: ["sensorMetadata", "sensorReport"])
    return inner.isEmpty ? "" : "sensorElement" + inner
  }

  private func ordered(_ object: JSONObject, _ order: [String]) -> String {
    order.map { key -> String in
      guard let value = object[key] else { return "" }
      if key.lowercased().hasSuffix("time") { return time(key, value) }
      let vocabulary: PreHashValue.Vocabulary? =
        switch key {
        case "type": .measurementType
        case "exception": .sensorAlarm
        case "component": .component
        default: nil
        }
      return scalarText(key, value, vocabulary: vocabulary)
    }.joined()
  }

  // MARK: User extensions

  /// Every member not in `excluding`, as `{namespace}local[=value]` plus its children, sorted.
  private func extensions(of object: JSONObject, excluding: Set<String>) -> String {
    Self.sorted(extensionParts(of: object, excluding: excluding)).joined()
  }

  private func extensionParts(of object: JSONObject, excluding: Set<String>) -> [String] {
    var parts: [String] = []
    for member in object.members where !excluding.contains(member.key) && !member.key.hasPrefix("@") {
      collect(name: expandedName(member.key), value: member.value, into: &parts)
    }
    return parts
  }

  private func collect(name: String, value: JSONValue, into parts: inout [String]) {
    switch value {
    case .array(let elements):
      for element in elements { collect(name: name, value: element, into: &parts) }
    case .object(let object):
      parts.append(name + extensions(of: object, excluding: []))
    case .null:
      parts.append(name)
    default:
      let text = Self.scalar(value).map { PreHashValue.canonical($0) } ?? ""
      parts.append(text.isEmpty ? name : "\(name)=\(text)")
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

  private static func scalar(_ value: JSONValue) -> JSONValueScalar? {
    switch value {
    case .string(let text): .string(text)
    case .number(let number): .number(number.literal)
    case .bool(let flag): .bool(flag)
    default: nil
    }
  }

  private func asArray(_ value: JSONValue) -> [JSONValue] { value.arrayValue ?? [value] }

  /// Sorted by UTF-8 code units (rules 10–12), never by Swift's Unicode-aware `<`.
  static func sorted(_ parts: [String]) -> [String] {
    parts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }
}
