/// Graphviz DOT of a trace: lots as boxes, fields as green ellipses, inputs as edges labelled
/// with the quantity consumed (`loam trace --dot | dot -Tsvg`).
public enum TraceDOT {
  static func quote(_ text: String) -> String {
    "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n") + "\""
  }

  public static func backward(_ trace: LotTrace, title: String) -> String {
    var lines = [
      "digraph provenance {", "  rankdir=BT;", "  label=\(quote(title)); labelloc=t;",
      "  node [shape=box, style=rounded, fontname=\"Helvetica\"];",
    ]
    var seen: Set<String> = []
    func visit(_ trace: LotTrace) {
      let id = quote("lot:" + trace.lot)
      guard seen.insert(trace.lot).inserted else { return }
      var label = trace.lot
      if let origin = trace.origin {
        label +=
          "\n" + origin.statement.summary + "\n" + origin.statement.actor + ", "
          + String(origin.statement.time.description.prefix(10)) + " [entry \(origin.seq)]"
      }
      lines.append("  \(id) [label=\(quote(label))\(trace.cycle ? ", color=red" : "")];")
      if let field = trace.field {
        let fieldID = quote("field:" + field.field)
        var fieldLabel = field.field
        for event in field.certifications + field.practices + field.measurements { fieldLabel += "\n" + event.statement.summary }
        lines.append("  \(fieldID) [shape=ellipse, style=filled, fillcolor=\"#e3f2d9\", label=\(quote(fieldLabel))];")
        lines.append("  \(fieldID) -> \(id) [label=\"harvest\"];")
      }
      for input in trace.inputs {
        visit(input.trace)
        lines.append("  \(quote("lot:" + input.trace.lot)) -> \(id) [label=\(quote(input.quantity.description))];")
      }
    }
    visit(trace)
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  public static func forward(_ traces: [ForwardTrace], title: String) -> String {
    var lines = [
      "digraph recall {", "  rankdir=LR;", "  label=\(quote(title)); labelloc=t;",
      "  node [shape=box, style=rounded, fontname=\"Helvetica\"];",
    ]
    var seen: Set<String> = []
    func visit(_ trace: ForwardTrace) {
      let id = quote("lot:" + trace.lot)
      guard seen.insert(trace.lot).inserted else { return }
      var label = trace.lot + (trace.product.map { "\n" + $0 } ?? "")
      for holder in trace.holders { label += "\nheld by \(holder.participant): \(holder.quantity)" }
      for transit in trace.inTransit { label += "\nin transit to \(transit.to): \(transit.outstanding)" }
      let items = trace.sales.flatMap { event -> [String] in
        if case .sell(let sale) = event.statement.body { sale.items } else { [] }
      }
      if !items.isEmpty { label += "\n\(items.count) item(s) sold" }
      lines.append("  \(id) [label=\(quote(label))];")
      for derived in trace.derived {
        visit(derived)
        lines.append("  \(id) -> \(quote("lot:" + derived.lot));")
      }
    }
    traces.forEach(visit)
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var out = ""
    var rest = self[...]
    while let range = rest.range(of: target) {
      out += rest[..<range.lowerBound] + replacement
      rest = rest[range.upperBound...]
    }
    return out + rest
  }
}

extension Substring {
  func range(of target: String) -> Range<Substring.Index>? {
    var index = startIndex
    while index < endIndex {
      if self[index...].hasPrefix(target) { return index..<self.index(index, offsetBy: target.count) }
      index = self.index(after: index)
    }
    return nil
  }
}
