import ArgumentParser
import Dispatch
import Glibc
import LoamCore
import LoamCrypto
import LoamEPCIS
import LoamStore
import Synchronization

struct ExportEPCISCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "epcis",
    abstract: "Write the ledger's events as one GS1 EPCIS 2.0 JSON-LD document, each with its GS1 event hash ID.",
    discussion: """
      Harvests, transforms, shipments, receipts, sales, measurements, observations and corrections become EPCIS events \
      (Ledger/EPCIS.md); participants, fields, practices and certifications travel inside them (ILMD, certificationInfo \
      and the loam: namespace). Every event's eventID is its CBV 2.0 event hash ID.
      """)

  @OptionGroup var ledger: LedgerOption

  @Option(help: "Export only the events of this lot's backward trace (a lot id or a consumer item id).")
  var lot: String?

  @Option(help: "Export only entries from this seq on.")
  var since: UInt64?

  @Option(name: .shortAndLong, help: "The file to write (a new file), or - for standard output.")
  var output: String

  func run() throws {
    let ledger = try ledger.open()
    var selected: Set<UInt64>? = nil
    if let lot {
      let state = try ledger.currentState()
      let tracer = Tracer(state: state, entry: ledger.entryReader(for: state))
      do {
        selected = Self.seqs(of: try tracer.backward(try tracer.lot(forLotOrItem: lot)))
      } catch let error as TraceError {
        throw CLIError("\(error)")
      }
    }
    // The document around an empty event list, canonical (JCS), split where the events go.
    let empty = try JCS.canonicalize(.object(EPCISExporter.document(events: [], created: Clock.now())))
    let marker = Array("\"eventList\":[]".utf8)
    guard let cut = Self.find(marker, in: empty) else { throw CLIError("internal: no event list in the document") }
    let head = Array(empty[..<(cut + marker.count - 1)])
    let tail = Array(empty[(cut + marker.count - 1)...]) + [UInt8(ascii: "\n")]
    let sink = try OutputSink(output)
    try sink.write(head)
    let history = LedgerHistory(ledger: ledger)
    let exporter = EPCISExporter(context: history.context)
    var count = 0
    try ledger.forEachEntryBatch { batch in
      // History first (a receipt's ship, a correction's target may be in this batch), then the
      // events of the batch on all cores.
      var chosen: [Statement] = []
      for item in batch {
        guard let statement = item.statement else { continue }
        try history.record(statement, payload: item.entry.envelope.payload, id: item.entry.id, seq: item.seq)
        let wanted: Bool
        if let selected {
          if case .correct(let correction) = statement.body, let target = history.seq(of: correction.entry) {
            wanted = selected.contains(target)
          } else {
            wanted = selected.contains(item.seq)
          }
        } else {
          wanted = item.seq >= (since ?? 0)
        }
        if wanted, EPCISExporter.exportedKinds.contains(statement.kind) { chosen.append(statement) }
      }
      // One write a batch (a write and a copy an event were a tenth of the export's main thread).
      var out: [UInt8] = []
      for bytes in Self.events(chosen, exporter) {
        if count > 0 { out.append(UInt8(ascii: ",")) }
        out += bytes
        count += 1
      }
      try sink.write(out)
    }
    try sink.write(tail)
    try sink.finish()
    if output != "-" { Output.note("Wrote \(output): \(count) EPCIS events, each with its GS1 event hash ID.") }
  }

  /// Each statement's event as canonical JSON, made on all cores, in order.
  static func events(_ statements: [Statement], _ exporter: EPCISExporter) -> [[UInt8]] {
    let out = UnsafeMutableBufferPointer<[UInt8]?>.allocate(capacity: max(statements.count, 1))
    out.initialize(repeating: nil)
    defer {
      out.deinitialize()
      out.deallocate()
    }
    nonisolated(unsafe) let shared = out
    let chunk = max(1, statements.count / 64)
    DispatchQueue.concurrentPerform(iterations: (statements.count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(statements.count, (part + 1) * chunk) {
        shared[index] = exporter.event(for: statements[index]).flatMap { try? JCS.canonicalize(.object($0)) }
      }
    }
    return out.prefix(statements.count).compactMap { $0 }
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
  }

  static func seqs(of trace: LotTrace) -> Set<UInt64> {
    var out: Set<UInt64> = []
    if let origin = trace.origin { out.insert(origin.seq) }
    for event in trace.custody { out.insert(event.seq) }
    for input in trace.inputs { out.formUnion(seqs(of: input.trace)) }
    return out
  }
}

/// What the exporter needs to know about earlier entries: a receipt's ship, a correction's target,
/// fields' practices and certifications. Memory stays small: ships are kept as their payload bytes
/// and other targets are read back from the log by seq, only when a correction names them.
final class LedgerHistory: @unchecked Sendable {
  // @unchecked: written on one thread between batches, read by the event builders of a batch.
  private var shipPayloads: [SHA256Digest: [UInt8]] = [:]
  var seqs: [SHA256Digest: UInt64] = [:]
  private var fields: [String: [Statement]] = [:]
  private let ledger: Ledger
  private var reader: ((UInt64) -> Entry?)? = nil
  private let readerLock = Mutex(())

  init(ledger: Ledger) { self.ledger = ledger }

  func record(_ statement: Statement, payload: [UInt8], id: SHA256Digest, seq: UInt64) throws {
    switch statement.body {
    case .practice(let practice): fields[practice.field, default: []].append(statement)
    case .certify(let certification):
      if case .field(let field) = certification.subject { fields[field, default: []].append(statement) }
    case .ship: shipPayloads[id] = payload
    case .correct(let correction):
      if shipPayloads[correction.entry] == nil, reader == nil {
        let state = try ledger.currentState()
        reader = ledger.entryReader(for: state)
      }
    default: break
    }
    if EPCISExporter.exportedKinds.contains(statement.kind) { seqs[id] = seq }
  }

  func seq(of id: SHA256Digest) -> UInt64? { seqs[id] }

  func statement(_ id: SHA256Digest) -> Statement? {
    if let payload = shipPayloads[id] { return try? Statement(payload: payload) }
    guard let seq = seqs[id], let reader else { return nil }
    let entry = readerLock.withLock { _ in reader(seq) }
    return entry.flatMap { try? Statement(payload: $0.envelope.payload) }
  }

  var context: EPCISExporter.Context {
    EPCISExporter.Context(statement: { self.statement($0) }, fieldHistory: { self.fields[$0] ?? [] })
  }
}

struct ExportFSMA204Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fsma204",
    abstract: "Write the FDA FSMA 204 traceability records of a lot's trace as a sortable CSV spreadsheet.",
    discussion: """
      One row per critical tracking event (harvesting, shipping, receiving, transformation) of the lot's backward \
      trace, with its key data elements, sorted by date then traceability lot code.
      """)

  @OptionGroup var ledger: LedgerOption

  @Argument(help: "The lot (or consumer item) whose records to write.")
  var lot: String

  @Option(name: .shortAndLong, help: "The CSV file to write (a new file), or - for standard output.")
  var output: String

  func run() throws {
    let ledger = try ledger.open()
    let state = try ledger.currentState()
    let tracer = Tracer(state: state, entry: ledger.entryReader(for: state))
    let trace: LotTrace
    do {
      trace = try tracer.backward(try tracer.lot(forLotOrItem: lot))
    } catch let error as TraceError {
      throw CLIError("\(error)")
    }
    let rows = FSMA204.rows(trace)
    let text = FSMA204.csv(rows)
    if output == "-" {
      print(text, terminator: "")
    } else {
      try FileIO.writeNew(output, Array(text.utf8))
      Output.note("Wrote \(output): \(rows.count) critical tracking events of \(lot).")
    }
  }
}
