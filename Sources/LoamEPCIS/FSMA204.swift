public import LoamCore
import LoamCrypto

/// FDA FSMA 204 (21 CFR 1 subpart S) traceability records of a lot's backward trace: one row per
/// critical tracking event (harvesting, shipping, receiving, transformation) with its key data
/// elements, as the electronic sortable spreadsheet the rule asks for (sorted by date, then lot).
public enum FSMA204 {
  public static let columns = [
    "Event Date", "Critical Tracking Event", "Traceability Lot Code", "Product Description", "Quantity",
    "Unit of Measure", "Location", "Traceability Lot Code Source", "Immediate Previous Source", "Immediate Subsequent Recipient",
    "Input Traceability Lot Codes", "Reference Document Type", "Reference Document Number",
  ]

  public struct Row: Hashable, Sendable {
    public var values: [String]
    public var date: Timestamp
  }

  /// The rows of every critical tracking event in `trace`, sorted by date, then lot code.
  public static func rows(_ trace: LotTrace) -> [Row] {
    var rows: [Row] = []
    var seen: Set<UInt64> = []
    collect(trace, product: nil, into: &rows, seen: &seen)
    return rows.sorted { ($0.date, $0.values[2], $0.values[12]) < ($1.date, $1.values[2], $1.values[12]) }
  }

  /// The CSV text (RFC 4180, CRLF line ends), a header row first. Cells that a spreadsheet would
  /// run as a formula (`=`, `+`, `-`, `@` first) are prefixed with `'`.
  public static func csv(_ rows: [Row]) -> String {
    ([columns] + rows.map(\.values)).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
  }

  private static func collect(_ trace: LotTrace, product: String?, into rows: inout [Row], seen: inout Set<UInt64>) {
    let lot = trace.lot
    var productName = product ?? ""
    if let origin = trace.origin, !origin.voided, seen.insert(origin.seq).inserted {
      let statement = origin.statement
      switch statement.body {
      case .harvest(let harvest):
        productName = harvest.product
        rows.append(
          row(
            origin, "Harvesting", lot, harvest.product, harvest.quantity, location: harvest.field, source: statement.actor))
      case .transform(let transform):
        let inputs = transform.inputs.map(\.lot).joined(separator: "; ")
        for output in transform.outputs where output.lot == lot {
          productName = output.product
          var values = row(
            origin, "Transformation", lot, output.product, output.quantity, location: statement.actor,
            source: statement.actor)
          values.values[10] = inputs
          rows.append(values)
        }
      default:
        break
      }
    }
    for event in trace.custody where !event.voided && seen.insert(event.seq).inserted {
      let statement = event.statement
      switch statement.body {
      case .ship(let shipment):
        var values = row(
          event, "Shipping", lot, productName, shipment.quantity, location: statement.actor, source: statement.actor)
        values.values[9] = shipment.to
        rows.append(values)
      case .receive(let receipt):
        var values = row(
          event, "Receiving", lot, productName, receipt.quantity, location: statement.actor, source: "")
        values.values[8] = trace.custody.first { $0.entryID == receipt.shipment }?.statement.actor ?? ""
        rows.append(values)
      default:
        break
      }
    }
    for input in trace.inputs { collect(input.trace, product: nil, into: &rows, seen: &seen) }
  }

  private static func row(
    _ event: TraceEvent, _ cte: String, _ lot: String, _ product: String, _ quantity: Quantity, location: String,
    source: String
  ) -> Row {
    Row(
      values: [
        event.statement.time.description, cte, lot, product, quantity.value.description, quantity.unit, location, source,
        "", "", "", "Loam ledger entry", "\(event.seq) \(event.entryID.hex)",
      ], date: event.statement.time)
  }

  static func cell(_ text: String) -> String {
    var value = text
    if let first = value.first, "=+-@".contains(first) { value = "'" + value }
    if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
      return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return value
  }
}

extension String {
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
