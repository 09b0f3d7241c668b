/// Lines with tree branches.
public struct TreePrinter {
  public init() {}

  public private(set) var text = ""
  private var prefix = ""

  public mutating func line(_ content: String) { text += prefix + content + "\n" }

  /// Prints children under the current line; `last` picks the closing branch.
  public mutating func child(last: Bool, _ body: (inout TreePrinter) -> Void) {
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

/// The readable tree `loam trace` prints on a terminal.
public enum TraceText {
  public static func describe(_ event: TraceEvent) -> String {
    let date = String(event.statement.time.description.prefix(10))
    return
      "\(event.statement.summary) — \(event.statement.actor), \(date) [entry \(event.seq)]\(event.voided ? " (voided by a correction)" : "")"
  }

  public static func backward(_ trace: LotTrace, into tree: inout TreePrinter) {
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

  public static func forward(_ trace: ForwardTrace, into tree: inout TreePrinter) {
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
