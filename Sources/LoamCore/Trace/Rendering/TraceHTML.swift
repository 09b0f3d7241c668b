/// One self-contained HTML page of a backward trace, for a brand to publish: no scripts, no
/// outside resources, every lot and field a node (`data-lot`, `data-field`, `data-entry`).
public enum TraceHTML {
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }

  public static func backward(_ trace: LotTrace, title: String, subtitle: String) -> String {
    var body = ""
    func event(_ event: TraceEvent, _ kind: String) -> String {
      "<li class=\"event \(kind)\" data-entry=\"\(event.seq)\"><span class=\"what\">\(escape(event.statement.summary))</span> <span class=\"who\">\(escape(event.statement.actor)), \(event.statement.time.description.prefix(10))</span> <span class=\"seq\">entry \(event.seq)</span></li>"
    }
    func lot(_ trace: LotTrace) {
      body +=
        "<li class=\"lot\" data-lot=\"\(escape(trace.lot))\"><details open><summary><span class=\"lot-id\">\(escape(trace.lot))</span>"
      if let origin = trace.origin {
        body +=
          " <span class=\"what\">\(escape(origin.statement.summary))</span> <span class=\"who\">\(escape(origin.statement.actor)), \(origin.statement.time.description.prefix(10))</span> <span class=\"seq\">entry \(origin.seq)</span>"
      }
      body += "</summary><ul>"
      for custody in trace.custody { body += event(custody, "custody") }
      if let field = trace.field {
        body +=
          "<li class=\"field\" data-field=\"\(escape(field.field))\"><details open><summary>Field <span class=\"field-id\">\(escape(field.field))</span>\(field.registration.map { " farmed by " + escape($0.statement.actor) } ?? "")</summary><ul>"
        for certification in field.certifications { body += event(certification, "certification") }
        for practice in field.practices { body += event(practice, "practice") }
        for measurement in field.measurements { body += event(measurement, "measurement") }
        body += "</ul></details></li>"
      }
      for input in trace.inputs {
        body += "<li class=\"input\"><span class=\"quantity\">\(escape(input.quantity.description))</span> of<ul>"
        lot(input.trace)
        body += "</ul></li>"
      }
      body += "</ul></details></li>"
    }
    lot(trace)
    return """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(escape(title))</title>
      <style>
      body{font:15px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2rem auto;max-width:60rem;color:#1d2a1d;padding:0 1rem}
      h1{font-size:1.5rem;margin-bottom:.2rem}.subtitle{color:#557055;margin-top:0}
      ul{list-style:none;padding-left:1.2rem;border-left:2px solid #d7e6cf;margin:.3rem 0}
      li{margin:.35rem 0}summary{cursor:pointer}
      .lot>details>summary{font-weight:600}.lot-id,.field-id{font-family:ui-monospace,Menlo,monospace;background:#f1f6ee;padding:0 .3rem;border-radius:4px}
      .field>details>summary{color:#2f6b2f;font-weight:600}
      .certification .what{color:#1f5f99}.practice .what{color:#2f6b2f}.measurement .what{color:#7a5a12}
      .who{color:#667}.seq{font-size:.8em;color:#999}.quantity{font-weight:600}
      footer{margin-top:2rem;font-size:.85em;color:#777}
      </style></head>
      <body><h1>\(escape(title))</h1><p class="subtitle">\(escape(subtitle))</p>
      <ul class="trace">\(body)</ul>
      <footer>Every line is a signed entry of the ledger (its number is its position in the log). Verify the whole story offline with <code>loam verify</code>.</footer>
      </body></html>

      """
  }
}
