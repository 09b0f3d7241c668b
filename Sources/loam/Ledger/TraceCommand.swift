import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore

struct TraceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trace",
    abstract: "Trace a lot or a consumer item back to its fields, or (--forward) a lot or field to everything made from it.",
    discussion: """
      Backward: how the lot was made, through every transform and blend, with each input's quantity, its shipments and receipts, down to the harvests and each field's practices and measurements of the three seasons before the harvest and its certifications valid on the harvest date. Corrected entries are left out (or marked, when they created a lot).

      Forward (recall): every lot made from it, who holds how much now, what is in transit, and which consumer items were sold.
      """
  )

  @OptionGroup var ledger: LedgerOption

  @Argument(help: "A lot id or a consumer item id (serial or GS1 Digital Link URI); with --forward --field, a field id.")
  var subject: String

  @Flag(help: "Trace forward (the recall view) instead of back to the fields.")
  var forward = false

  @Flag(help: "With --forward: the subject is a field.")
  var field = false

  @Flag(help: "Print the trace as JSON.")
  var json = false

  func validate() throws {
    if field && !forward { throw ValidationError("--field goes with --forward") }
  }

  func run() throws {
    let ledger = try ledger.open()
    let state = try ledger.currentState()
    let tracer = Tracer(state: state, entry: ledger.entryReader(for: state))
    do {
      if forward {
        let traces = field ? try tracer.forward(field: subject) : [try tracer.forward(try tracer.lot(forLotOrItem: subject))]
        if json {
          try Output.json(field ? .array(traces.map(TraceJSON.forward)) : TraceJSON.forward(traces[0]))
        } else {
          var tree = TreePrinter()
          for trace in traces { TraceText.forward(trace, into: &tree) }
          print(tree.text, terminator: "")
        }
      } else {
        let lot = try tracer.lot(forLotOrItem: subject)
        let trace = try tracer.backward(lot)
        if json {
          var object = TraceJSON.backward(trace).objectValue ?? JSONObject()
          if lot != subject { object["item"] = .string(subject) }
          try Output.json(.object(object))
        } else {
          var tree = TreePrinter()
          if lot != subject { tree.line("item \(subject), sold from lot \(lot)") }
          TraceText.backward(trace, into: &tree)
          print(tree.text, terminator: "")
        }
      }
    } catch let error as TraceError {
      throw CLIError(error.description)
    }
  }
}

struct ReindexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reindex",
    abstract: "Rebuild the derived state and trace index (state.sqlite) from the log.",
    discussion:
      "Never needed for correctness: a derived state that does not match the log is rebuilt or caught up on the next append. Useful after restoring a ledger from a backup of entries.jsonl alone."
  )

  @OptionGroup var ledger: LedgerOption

  func run() throws {
    let ledger = try ledger.open()
    let start = Clock.monotonicNanoseconds()
    let count = try ledger.reindex()
    let seconds = Double(Clock.monotonicNanoseconds() - start) / 1e9
    print("reindexed \(count) entries in \((seconds * 100).rounded() / 100) s")
  }
}

/// Lines with tree branches.
struct TreePrinter {
  private(set) var text = ""
  private var prefix = ""

  mutating func line(_ content: String) { text += prefix + content + "\n" }

  /// Prints children under the current line; `last` picks the closing branch.
  mutating func child(last: Bool, _ body: (inout TreePrinter) -> Void) {
    let saved = prefix
    var nested = TreePrinter()
    body(&nested)
    var first = true
    for line in nested.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
      text += saved + (first ? (last ? "└─ " : "├─ ") : (last ? "   " : "│  ")) + line + "\n"
      first = false
    }
    prefix = saved
  }
}

enum TraceText {
  static func describe(_ event: TraceEvent) -> String {
    let date = String(event.statement.time.description.prefix(10))
    return
      "\(EntryView.summary(event.statement)) — \(event.statement.actor), \(date) [entry \(event.seq)]\(event.voided ? " (voided by a correction)" : "")"
  }

  static func backward(_ trace: LotTrace, into tree: inout TreePrinter) {
    guard let origin = trace.origin else {
      tree.line("lot \(trace.lot)\(trace.cycle ? " (cycle: this lot is its own ancestor)" : ": no entry created it")")
      return
    }
    switch origin.statement.body {
    case .harvest(let harvest):
      tree.line(
        "lot \(trace.lot): \(harvest.quantity) \(harvest.product), harvested by \(origin.statement.actor) from \(harvest.field) on \(origin.statement.time.description.prefix(10)) [entry \(origin.seq)]\(origin.voided ? " (voided)" : "")"
      )
    case .transform(let transform):
      let made = transform.outputs.first { $0.lot == trace.lot }
      tree.line(
        "lot \(trace.lot): \(made.map { "\($0.quantity) \($0.product)" } ?? ""), \(transform.process) by \(origin.statement.actor) on \(origin.statement.time.description.prefix(10)) [entry \(origin.seq)]\(origin.voided ? " (voided)" : "")"
      )
    default:
      tree.line("lot \(trace.lot) [entry \(origin.seq)]")
    }
    var children: [(inout TreePrinter) -> Void] = []
    for event in trace.custody { children.append { $0.line(describe(event)) } }
    if let field = trace.field {
      children.append { tree in
        tree.line("field \(field.field)\(field.registration.map { ", farmed by \($0.statement.actor)" } ?? "")")
        let events = field.practices + field.measurements + field.certifications
        for (index, event) in events.enumerated() { tree.child(last: index == events.count - 1) { $0.line(describe(event)) } }
        if events.isEmpty {
          tree.child(last: true) { $0.line("no practices, measurements or certifications logged for this harvest") }
        }
      }
    }
    for input in trace.inputs {
      children.append { tree in
        tree.line("input \(input.quantity) of \(input.trace.lot)")
        tree.child(last: true) { backward(input.trace, into: &$0) }
      }
    }
    for (index, child) in children.enumerated() { tree.child(last: index == children.count - 1, child) }
  }

  static func forward(_ trace: ForwardTrace, into tree: inout TreePrinter) {
    tree.line("lot \(trace.lot)\(trace.product.map { " (\($0))" } ?? "")\(trace.cycle ? " (cycle)" : "")")
    var children: [(inout TreePrinter) -> Void] = []
    for holding in trace.holders { children.append { $0.line("held by \(holding.participant): \(holding.quantity)") } }
    for transit in trace.inTransit {
      children.append { $0.line("in transit to \(transit.to): \(transit.outstanding) [entry \(transit.shipment.seq)]") }
    }
    for sale in trace.sales { children.append { $0.line(describe(sale)) } }
    for derived in trace.derived { children.append { forward(derived, into: &$0) } }
    for (index, child) in children.enumerated() { tree.child(last: index == children.count - 1, child) }
  }
}

/// The documented JSON forms of traces (Ledger/FORMAT.md, Traces).
enum TraceJSON {
  static func event(_ event: TraceEvent) -> JSONValue {
    [
      "seq": .number(JSONNumber(event.seq)), "id": .string(event.entryID.hex), "logged": .string(event.logged.description),
      "voided": .bool(event.voided), "statement": .object(event.statement.json),
    ]
  }

  static func quantity(_ quantity: Quantity) -> JSONValue {
    ["value": .number(quantity.value.jsonNumber), "uom": .string(quantity.unit)]
  }

  static func backward(_ trace: LotTrace) -> JSONValue {
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

  static func forward(_ trace: ForwardTrace) -> JSONValue {
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
