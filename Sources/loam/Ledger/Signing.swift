import LoamCore
import LoamCrypto
import LoamStore

/// Turning statements into signed envelopes and envelopes into entries: shared by `sign`,
/// `submit`, `append` and the typed shortcuts.
enum Signing {
  /// Parses, validates and canonicalizes a statement, then signs it with every key.
  static func sign(statement json: JSONValue, keys: [PrivateKey], source: String) throws -> DSSEEnvelope {
    try submission(statement: json, keys: keys, source: source).envelope
  }

  /// The envelope `sign` makes, with the statement it signs (for a `signedHere` append).
  static func submission(statement json: JSONValue, keys: [PrivateKey], source: String) throws -> Ledger.Submission {
    let statement: Statement
    do {
      statement = try Statement(json: json)
    } catch let error as StatementError {
      throw CLIError("\(source): \(error.description)")
    }
    let payload = try statement.canonicalPayload()
    return Ledger.Submission(try DSSEEnvelope(payload: payload, signedBy: keys), statement: statement)
  }

  static func parseStatement(_ bytes: [UInt8], source: String) throws -> JSONValue {
    do {
      return try JSONValue(parsing: bytes)
    } catch {
      throw CLIError("\(source) is not valid JSON: \(error)")
    }
  }

  /// The checkpoint signer for a ledger whose state names `origin`.
  static func logSigner(_ logKey: LogKeyOption, ledger: Ledger, origin: String) throws -> NoteSigner {
    guard !origin.isEmpty else { throw CLIError("\(ledger.directory) has no readable genesis entry") }
    return try logKey.signer(origin: origin)
  }

  /// Submits envelopes as one batch and prints the result; refusals exit 1.
  static func submit(_ envelopes: [DSSEEnvelope], ledger: Ledger, logKey: LogKeyOption, json: Bool) throws {
    try submit(ledger: ledger, logKey: logKey, json: json) { _ in envelopes }
  }

  /// Submits the envelopes `build` makes from the ledger's state, under the lock, as one batch.
  static func submit(
    ledger: Ledger, logKey: LogKeyOption, json: Bool, build: (LedgerState) throws -> [DSSEEnvelope]
  ) throws {
    let outcome = try ledger.append(
      logSigner: { try logSigner(logKey, ledger: ledger, origin: $0) }, now: Clock.now(), first: build)
    switch outcome {
    case .refused(let findings):
      for finding in findings {
        Output.error(
          "refused: entry \(finding.seq.map(String.init) ?? "?") would break a rule: \(finding.code): \(finding.message)")
      }
      Output.error("nothing was written to \(ledger.directory)")
      throw CLIError("", status: .findings)
    case .appended(let results):
      if json {
        try Output.json(
          .array(
            results.map {
              ["seq": .number(JSONNumber($0.entry.seq)), "id": .string($0.entry.id.hex), "duplicate": .bool($0.duplicate)]
            }))
      } else {
        // One write for the whole batch: for 100,000 entries, the time from the state's last sync to exit
        // fell from 0.27–0.45 s (a print per line) to 0.23 s.
        var text = ""
        text.reserveCapacity(results.count * 96)
        for result in results {
          text += "\(result.duplicate ? "already logged" : "appended") entry \(result.entry.seq) \(result.entry.id.hex)\n"
        }
        print(text, terminator: "")
      }
    }
  }
}
