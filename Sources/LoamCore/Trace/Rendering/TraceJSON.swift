public import LoamCrypto

/// The documented JSON forms of traces (Ledger/FORMAT.md, Traces).
public enum TraceJSON {
  static func event(_ event: TraceEvent) -> JSONValue {
    [
      "seq": .number(JSONNumber(event.seq)), "id": .string(event.entryID.hex), "logged": .string(event.logged.description),
      "voided": .bool(event.voided), "statement": .object(event.statement.json),
    ]
  }

  static func quantity(_ quantity: Quantity) -> JSONValue {
    ["value": .number(quantity.value.jsonNumber), "uom": .string(quantity.unit)]
  }

  public static func backward(_ trace: LotTrace) -> JSONValue {
    var object = JSONObject()
    object["lot"] = .string(trace.lot)
    object["origin"] = trace.origin.map(event) ?? .null
    object["custody"] = .array(trace.custody.map(event))
    object["inputs"] = .array(trace.inputs.map { ["quantity": quantity($0.quantity), "trace": backward($0.trace)] })
    if let field = trace.field {
      object["field"] = [
        "id": .string(field.field), "registration": field.registration.map(event) ?? .null,
        "practices": .array(field.practices.map(event)), "measurements": .array(field.measurements.map(event)),
        "certifications": .array(field.certifications.map(event)),
      ]
    }
    if trace.cycle { object["cycle"] = true }
    return .object(object)
  }

  public static func forward(_ trace: ForwardTrace) -> JSONValue {
    var object = JSONObject()
    object["lot"] = .string(trace.lot)
    object["product"] = trace.product.map { .string($0) } ?? .null
    object["holders"] = .array(trace.holders.map { ["participant": .string($0.participant), "quantity": quantity($0.quantity)] })
    object["inTransit"] = .array(
      trace.inTransit.map { ["shipment": event($0.shipment), "to": .string($0.to), "outstanding": quantity($0.outstanding)] })
    object["sales"] = .array(trace.sales.map(event))
    object["derived"] = .array(trace.derived.map(forward))
    object["items"] = .array(trace.items.map { .string($0) })
    if trace.cycle { object["cycle"] = true }
    return .object(object)
  }
}
