import ArgumentParser
import Dispatch
import Glibc
import LoamCore
import LoamCrypto
import LoamEPCIS
import LoamStore
import Synchronization

struct ImportEPCISCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "epcis",
    abstract: "Validate GS1 EPCIS 2.0 JSON-LD documents and append their events as signed statements, in one batch.",
    discussion: """
      Each document is checked first (the structure, types and formats of the EPCIS 2.0 schema); one problem anywhere \
      refuses the whole import, naming each problem's JSON path, and nothing is written. Events map to statements as \
      Ledger/EPCIS.md says; an event with no Loam meaning is kept whole in an `observe` statement. Each statement's ref \
      is its event's GS1 hash ID, so importing a document again logs nothing twice.

      Statements are made by --as (default: the owner of the first --key), or by the participant an event names in \
      `loam:actor`; give one --key per participant that acts. Documents are at most 8 MiB each.
      """)

  @OptionGroup var ledger: LedgerOption
  @OptionGroup var logKey: LogKeyOption
  @OptionGroup var keys: SigningKeysOption

  @Option(name: .customLong("as"), help: "The participant that makes statements (default: the owner of the first --key).")
  var participant: String?

  @Flag(help: "Print the result as JSON.")
  var json = false

  @Argument(help: "EPCIS 2.0 JSON-LD documents (EPCISDocument or EPCISQueryDocument), or - for standard input.")
  var files: [String]

  static let maximumDocumentSize = 8 << 20

  func run() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one EPCIS document") }
    let documents = try Self.read(files)
    let ledger = try ledger.open()
    let state = try ledger.currentState()
    let signingKeys = try keys.load()
    var keysByParticipant: [String: [PrivateKey]] = [:]
    for key in signingKeys {
      guard let owner = state.keys[key.publicKey.keyID]?.owner else {
        throw CLIError("no participant in \(ledger.directory) holds key \(key.publicKey.keyID.prefix(12))…; enroll it first")
      }
      keysByParticipant[owner, default: []].append(key)
    }
    let actor = participant ?? state.keys[signingKeys[0].publicKey.keyID]!.owner
    guard keysByParticipant[actor] != nil else {
      throw CLIError("--as \(actor): none of the --key files is \(actor)'s; give one of its keys")
    }
    let importer = EPCISImporter(defaultActor: actor, signers: Set(keysByParticipant.keys))
    var items: [EPCISImporter.Item] = []
    var problems: [String] = []
    for (file, document) in zip(files, documents) {
      do {
        items += try importer.items(from: document, source: InputFile.name(file))
      } catch {
        problems += error.problems.map(\.description)
      }
    }
    // The statements are made: the documents' trees (most of an import's memory) can go.
    let eventCount = documents.reduce(0) { $0 + $1.events.count }
    let documentCount = documents.count
    freeElsewhere(consume documents)
    if !problems.isEmpty {
      for problem in problems { Output.error(problem) }
      throw CLIError("\(problems.count) event(s) cannot be imported; nothing was written to \(ledger.directory)")
    }
    guard items.count <= Ledger.maximumBatch else {
      throw CLIError(
        "these documents make \(items.count) statements; one import may append at most \(Ledger.maximumBatch): import them in several commands"
      )
    }
    // The log key is checked before the work of signing (the append checks it against the ledger again).
    let logSigner = try Signing.logSigner(logKey, ledger: ledger, origin: state.origin ?? "")
    let outcome = try Self.append(items, ledger: ledger, state: state, logSigner: logSigner, keys: keysByParticipant)
    switch outcome {
    case .refused(let findings):
      // A finding names the seq its entry would have had; statements already logged (by ref) take none.
      let fresh = items.filter { item in item.statement.json["ref"]?.stringValue.map { state.refs[$0] == nil } ?? true }
      for finding in findings {
        let item = finding.seq.map { Int($0) - Int(state.size) }.flatMap { fresh.indices.contains($0) ? fresh[$0] : nil }
        Output.error(
          "refused: \(item.map { "event at \($0.path)" } ?? "an event") would break a rule: \(finding.code): \(finding.message)")
      }
      Output.error("nothing was written to \(ledger.directory)")
      throw CLIError("", status: .findings)
    case .appended(let results):
      let fresh = results.reduce(0) { $1.duplicate ? $0 : $0 + 1 }
      let first = results.first { !$0.duplicate }?.entry.seq
      let last = results.last { !$0.duplicate }?.entry.seq
      if json {
        try Output.json(
          [
            "events": .number(JSONNumber(eventCount)),
            "appended": .number(JSONNumber(fresh)),
            "alreadyLogged": .number(JSONNumber(results.count - fresh)),
            "first": first.map { .number(JSONNumber($0)) } ?? .null,
            "last": last.map { .number(JSONNumber($0)) } ?? .null,
          ])
      } else {
        let range = first.map { " as entries \($0)–\(last!)" } ?? ""
        print(
          "imported \(eventCount) events from \(documentCount) document(s): \(fresh) statements appended\(range), \(results.count - fresh) already logged"
        )
      }
    }
    // The process ends here: the statements and entries (110,848 of each in an import of about
    // 640 MB) are freed on another thread instead of one by one before the exit.
    freeElsewhere((consume items, consume outcome))
  }

  /// Reads, parses and validates the documents on all cores; the first that fails, in the order
  /// given, is reported (with each of its problems) and nothing is imported.
  static func read(_ paths: [String]) throws -> [EPCISDocument] {
    // Standard input can be read once, and only here.
    let inputs: [[UInt8]?] = try paths.map { $0 == "-" ? try readBytes($0) : nil }
    let results = Mutex([Result<EPCISDocument, ReadFailure>?](repeating: nil, count: paths.count))
    DispatchQueue.concurrentPerform(iterations: paths.count) { index in
      let result = Result { () throws(ReadFailure) in try document(paths[index], bytes: inputs[index]) }
      results.withLock { $0[index] = result }
    }
    return try results.withLock { $0 }.map { result in
      switch result! {
      case .success(let document): return document
      case .failure(let failure):
        for problem in failure.problems { Output.error(problem) }
        throw failure.error
      }
    }
  }

  struct ReadFailure: Error {
    var problems: [String] = []
    var error: any Error
  }

  static func readBytes(_ path: String) throws -> [UInt8] {
    try InputFile.read(
      path, maximum: maximumDocumentSize, what: "an EPCIS document may be (split it, and import the parts in one command)")
  }

  static func document(_ path: String, bytes given: [UInt8]?) throws(ReadFailure) -> EPCISDocument {
    let bytes: [UInt8]
    do {
      bytes = try given ?? readBytes(path)
    } catch {
      throw ReadFailure(error: error)
    }
    let value: JSONValue
    do {
      value = try JSONParser().parse(bytes)
    } catch {
      throw ReadFailure(error: CLIError("\(InputFile.name(path)) is not JSON: \(error)"))
    }
    let problems = EPCISValidator.problems(in: value)
    if !problems.isEmpty {
      throw ReadFailure(
        problems: problems.prefix(100).map { "\(InputFile.name(path)): \($0)" },
        error: CLIError(
          "\(InputFile.name(path)) is not a valid EPCIS 2.0 document (\(problems.count) problem(s)); nothing was imported"))
    }
    return EPCISDocument(json: value.objectValue!)
  }

  /// The envelopes of the statements that are ready (that name no entry of the batch), signed in
  /// order on another thread while the batch is appended. The others are signed as the batch
  /// reaches them.
  struct ReadyEnvelopes {
    /// Per item, its place among the ready ones, or -1.
    private let slot: [Int]
    private let work: WorkAhead<Ledger.Submission>

    init(_ items: [EPCISImporter.Item], keys: [String: [PrivateKey]]) {
      let ready = items.indices.filter { if case .ready = items[$0].statement { true } else { false } }
      var slot = [Int](repeating: -1, count: items.count)
      for (position, index) in ready.enumerated() { slot[index] = position }
      self.slot = slot
      work = WorkAhead(count: ready.count) { position in
        let item = items[ready[position]]
        return try ImportEPCISCommand.submission(item.statement.json, item, keys: keys)
      }
    }

    /// Item `index`'s envelope and statement (nil if it is not ready), waiting for it or signing it here.
    func submission(_ index: Int) throws -> Ledger.Submission? {
      slot[index] < 0 ? nil : try work.value(slot[index])
    }

    /// No more are needed: signing stops, once the chunk being signed is done (waited for).
    func stop() { work.stop() }
  }

  /// Signs statements on all cores, in order.
  static func sign(_ work: [(JSONObject, EPCISImporter.Item)], keys: [String: [PrivateKey]]) throws -> [Ledger.Submission] {
    let slots = UnsafeMutableBufferPointer<Result<Ledger.Submission?, any Error>>.allocate(capacity: max(work.count, 1))
    slots.initialize(repeating: .success(nil))
    defer {
      slots.deinitialize()
      slots.deallocate()
    }
    nonisolated(unsafe) let shared = slots
    let chunk = max(1, work.count / 64)
    DispatchQueue.concurrentPerform(iterations: (work.count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(work.count, (part + 1) * chunk) {
        shared[index] = Result { try submission(work[index].0, work[index].1, keys: keys) }
      }
    }
    return try slots.prefix(work.count).map { try $0.get()! }
  }

  static func submission(_ statement: JSONObject, _ item: EPCISImporter.Item, keys: [String: [PrivateKey]]) throws
    -> Ledger.Submission
  {
    let actor = statement["actor"]?.stringValue ?? ""
    return try Signing.submission(statement: .object(statement), keys: keys[actor] ?? [], source: "the event at \(item.path)")
  }

  /// One batch in runs. A statement that names an earlier entry (a receipt its shipment) is completed
  /// once that entry is sequenced: a run ends before the first such statement whose entry is in the
  /// run itself. The envelopes are this process's own signatures, so the ledger does not verify them
  /// again (`loam verify` does); the rules still check every key against its actor.
  static func append(
    _ items: [EPCISImporter.Item], ledger: Ledger, state: LedgerState, logSigner: NoteSigner, keys: [String: [PrivateKey]]
  ) throws -> Ledger.AppendOutcome {
    var ready: ReadyEnvelopes? = ReadyEnvelopes(items, keys: keys)
    defer {
      ready?.stop()
      // 100,000 envelopes take a tenth of a second to free, which the import need not wait for.
      freeElsewhere(ready.take())
    }
    var position = 0
    var sequenced: [String: (SHA256Digest, String?)] = [:]  // ref → entry id, shipment lot
    sequenced.reserveCapacity(items.count)
    var recorded = 0  // items whose entries are in `sequenced`
    func ref(_ statement: JSONObject) -> String? { statement["ref"]?.stringValue }
    func nextRun(_ appended: [Ledger.Appended]) throws -> [Ledger.Submission]? {
      // The last run's entries, one per envelope, in order: the n-th is items[recorded + n].
      for result in appended {
        let statement = items[recorded].statement.json
        if let ref = ref(statement) {
          let lot = statement["kind"]?.stringValue == "ship" ? statement["lot"]?.stringValue : nil
          sequenced[ref] = (result.entry.id, lot)
        }
        recorded += 1
      }
      guard position < items.count else { return nil }
      var run: [Ledger.Submission?] = []
      var toSign: [(Int, JSONObject, EPCISImporter.Item)] = []
      var inRun: Set<String> = []
      while position < items.count {
        let item = items[position]
        if case .needsEntry(_, _, let ref, _, let fallback) = item.statement {
          // Parts of one event (`hash#k`) are sequenced together with `hash`: checking it suffices.
          if ref.map(inRun.contains) == true || fallback.map(inRun.contains) == true { break }
          do {
            let statement = try EPCISImporter.complete(item.statement) { ref in
              if let found = sequenced[ref] { return found }
              guard let record = state.refs[ref] else { return nil }
              return (record.entryID, state.shipments[record.entryID]?.lot)
            }
            toSign.append((run.count, statement, item))
            run.append(nil)
          } catch {
            let reason = error.problems.map(\.message).joined(separator: "; ")
            throw CLIError(
              "refused: event at \(item.path): \(reason); nothing was written to \(ledger.directory)", status: .findings)
          }
        } else {
          run.append(try ready!.submission(position))
        }
        if let ref = ref(item.statement.json) { inRun.insert(ref) }
        position += 1
      }
      let signed = try Self.sign(toSign.map { ($0.1, $0.2) }, keys: keys)
      for (index, submission) in zip(toSign.map(\.0), signed) { run[index] = submission }
      return run.map { $0! }
    }
    return try ledger.append([], logSigner: logSigner, now: Clock.now(), signatures: .signedHere, next: nextRun)
  }
}
