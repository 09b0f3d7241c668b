import ArgumentParser
import Dispatch
import LoamCore
import LoamCrypto

struct SignCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sign",
    abstract: "Sign a statement offline and print its DSSE envelope.",
    discussion: """
      Reads a statement (JSON) from a file or standard input (-), checks it against its kind's required fields, canonicalizes it (RFC 8785) and signs it with each --key. No ledger is needed: a grower can sign on a laptop and hand the envelope to the ledger operator, who runs `loam submit`.
      """
  )

  @OptionGroup var keys: SigningKeysOption

  @Argument(help: "The statement file, or - for standard input.")
  var statement: String

  func run() throws {
    let source = InputFile.name(statement)
    let json = try Signing.parseStatement(try InputFile.read(statement), source: source)
    let envelope = try Signing.sign(statement: json, keys: try keys.load(), source: source)
    print(String(decoding: envelope.canonicalJSON, as: UTF8.self))
  }
}

struct SubmitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit",
    abstract: "Sequence signed envelopes into the ledger and print each entry's seq and id.",
    discussion: """
      Each file holds one DSSE envelope (JSON). Standard input (-) may hold several, one per line (JSON Lines). All envelopes of one call form one batch: they are checked in order, written with one fsync, and either all are logged or none is (exit 1, with the rule each broke).
      """
  )

  @OptionGroup var ledger: LedgerOption
  @OptionGroup var logKey: LogKeyOption

  @Flag(help: "Print the result as JSON.")
  var json = false

  @Argument(help: "Envelope files, or - for JSON Lines on standard input.")
  var envelopes: [String]

  func validate() throws {
    guard !envelopes.isEmpty else { throw ValidationError("give at least one envelope file, or - for standard input") }
  }

  func run() throws {
    var batch: [DSSEEnvelope] = []
    for path in envelopes {
      let bytes = try InputFile.read(path)
      let documents: [ArraySlice<UInt8>] =
        path == "-"
        ? bytes.split(separator: 0x0A).filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } } : [bytes[...]]
      batch += try Self.parse(documents, from: path)
    }
    guard !batch.isEmpty else { throw CLIError("no envelopes to submit (standard input was empty)") }
    try Signing.submit(batch, ledger: try ledger.open(), logKey: logKey, json: json)
  }

  /// Parses envelopes on all cores; the first failure (in input order) is reported.
  static func parse(_ documents: [ArraySlice<UInt8>], from path: String) throws -> [DSSEEnvelope] {
    let results = UnsafeMutableBufferPointer<Result<DSSEEnvelope, any Error>>.allocate(capacity: documents.count)
    results.initialize(repeating: .failure(CLIError("not parsed")))
    defer {
      results.deinitialize()
      results.deallocate()
    }
    nonisolated(unsafe) let shared = results
    let chunk = max(1, documents.count / 16)
    DispatchQueue.concurrentPerform(iterations: (documents.count + chunk - 1) / chunk) { part in
      for index in (part * chunk)..<min(documents.count, (part + 1) * chunk) {
        shared[index] = Result { try DSSEEnvelope(parsing: Array(documents[index])) }
      }
    }
    return try results.enumerated().map { index, result in
      do {
        return try result.get()
      } catch {
        throw CLIError("\(path == "-" ? "standard input line \(index + 1)" : path) is not a DSSE envelope: \(error)")
      }
    }
  }
}
