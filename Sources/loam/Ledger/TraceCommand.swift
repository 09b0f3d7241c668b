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

  @Flag(help: "Print the trace as Graphviz DOT (render with `dot -Tsvg`).")
  var dot = false

  @Flag(help: "Print one self-contained HTML page of the (backward) trace, for publishing.")
  var html = false

  func validate() throws {
    if field && !forward { throw ValidationError("--field goes with --forward") }
    if [json, dot, html].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --dot and --html") }
    if html && forward { throw ValidationError("--html shows the backward trace; use --json or --dot with --forward") }
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
        } else if dot {
          print(TraceDOT.forward(traces, title: "Everything made from \(subject)"), terminator: "")
        } else {
          var tree = TreePrinter()
          for trace in traces { TraceText.forward(trace, into: &tree) }
          print(tree.text, terminator: "")
        }
      } else {
        let lot = try tracer.lot(forLotOrItem: subject)
        let trace = try tracer.backward(lot)
        let title = lot == subject ? "Provenance of lot \(lot)" : "Provenance of \(subject)"
        if json {
          var object = TraceJSON.backward(trace).objectValue ?? JSONObject()
          if lot != subject { object["item"] = .string(subject) }
          try Output.json(.object(object))
        } else if dot {
          print(TraceDOT.backward(trace, title: title), terminator: "")
        } else if html {
          let origins = Set(trace.harvests.compactMap { $0.field?.field }).count
          print(
            TraceHTML.backward(
              trace, title: title,
              subtitle:
                "\(trace.entryCount) signed entries, \(origins) field\(origins == 1 ? "" : "s") of origin, from ledger \(state.origin ?? "")"
            ), terminator: "")
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
