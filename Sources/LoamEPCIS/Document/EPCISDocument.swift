public import LoamCrypto

/// An EPCIS 2.0 JSON-LD document as read: its declared namespaces and its events, from an
/// `EPCISDocument` (`epcisBody.eventList` or a single `epcisBody.event`) or an `EPCISQueryDocument`
/// (`epcisBody.queryResults.resultsBody.eventList`). Structure is checked by `EPCISValidator`.
public struct EPCISDocument: Sendable {
  public var json: JSONObject
  /// Prefix → namespace IRI from `@context` (the standard context URLs themselves add none).
  public var namespaces: [String: String]
  public var events: [JSONObject]
  /// The JSON path of the events (`$.epcisBody.eventList`, `$.epcisBody.event` …).
  public var eventsPath = "$.epcisBody.eventList"

  /// The context URLs Loam knows (all three name the EPCIS 2.0 context; there is no network).
  public static let standardContexts: Set<String> = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld",
  ]
  public static let context = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

  public init(json: JSONObject) {
    self.json = json
    namespaces = Self.namespaces(in: json["@context"])
    let body = json["epcisBody"]?.objectValue
    if let list = body?["eventList"]?.arrayValue {
      events = list.compactMap(\.objectValue)
    } else if let list = body?["queryResults"]?["resultsBody"]?["eventList"]?.arrayValue {
      events = list.compactMap(\.objectValue)
      eventsPath = "$.epcisBody.queryResults.resultsBody.eventList"
    } else if let event = body?["event"]?.objectValue {
      events = [event]
      eventsPath = "$.epcisBody.event"
    } else {
      events = []
    }
  }

  /// The event hash IDs of every event, in document order.
  public func hashIDs() -> [String] {
    events.map { hasher(for: $0).hashID(of: $0) }
  }

  /// A hasher with the document's namespaces and any the event's own `@context` adds.
  public func hasher(for event: JSONObject) -> EventHashID {
    var merged = namespaces
    for (prefix, iri) in Self.namespaces(in: event["@context"]) { merged[prefix] = iri }
    return EventHashID(namespaces: merged)
  }

  static func namespaces(in context: JSONValue?) -> [String: String] {
    var out: [String: String] = [:]
    let items = context?.arrayValue ?? (context.map { [$0] } ?? [])
    for item in items {
      guard let object = item.objectValue else { continue }
      for member in object.members where !member.key.hasPrefix("@") {
        if let iri = member.value.stringValue { out[member.key] = iri }
      }
    }
    return out
  }
}
