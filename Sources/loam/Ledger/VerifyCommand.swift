import ArgumentParser
import Dispatch
import Glibc
import LoamCore
import LoamCrypto
import LoamStore
import LoamVerify

struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Verify the whole ledger: chain, signatures, authority, state rules and checkpoint.",
    discussion:
      "Exit status: 0 valid, 1 findings (each with its entry's seq, id, a stable code and a sentence), 2 unusable input."
  )

  @OptionGroup var ledger: LedgerOption

  @Flag(help: "Also reject statement payloads that are not RFC 8785 canonical.")
  var strict = false

  @Option(help: "A witness's verifier key (name+hash+base64, type 0x04); repeatable.")
  var witness: [String] = []

  @Option(help: "How many of the --witness keys must have cosigned the checkpoint.")
  var quorum: Int?

  @Option(
    help: ArgumentHelp(
      "A checkpoint verified before (a saved copy of the ledger's checkpoint file).",
      discussion:
        "Proves the log consistent with it (its first entries are the ones that checkpoint committed to) and checks the signatures only of the entries after it; the state rules still run over the whole log, which is fast."
    ))
  var since: String?

  func validate() throws {
    if let quorum, quorum < 1 || quorum > witness.count {
      throw ValidationError("--quorum must be between 1 and the number of --witness keys (\(witness.count))")
    }
  }

  @Flag(help: "Print the result as JSON.")
  var json = false

  func run() throws {
    let ledger = try ledger.open()
    let start = DispatchTime.now().uptimeNanoseconds
    let showProgress = !json && isatty(2) == 1
    var lastShown = start
    let trusted = try since.map { try Self.trustedCheckpoint($0, ledger: ledger) }
    var options = LogVerifier.Options(strict: strict, threads: 2)
    options.trusted = trusted.map { ($0.size, $0.rootHash) }
    var verification = try ledger.verify(options: options) { done in
      guard showProgress else { return }
      let now = DispatchTime.now().uptimeNanoseconds
      if now - lastShown > 200_000_000 {
        Output.standardError("\rverifying… \(done) entries")
        lastShown = now
      }
    }
    if showProgress && lastShown != start { Output.standardError("\r\u{1B}[K") }
    if let quorum {
      let witnesses = try witness.map { vkey -> NoteVerifier in
        do { return try NoteVerifier(vkey: vkey) } catch { throw CLIError("--witness \(vkey): \(error)") }
      }
      verification.add(
        Self.quorumFindings(ledger: ledger, logKey: verification.state.logKey, witnesses: witnesses, quorum: quorum))
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let state = verification.state
    let checkpoint = (try? ledger.checkpointBytes()).flatMap { $0 }.flatMap { try? Note(parsing: $0) }.flatMap {
      try? Checkpoint(text: $0.text)
    }
    if json {
      try Output.json([
        "valid": .bool(verification.isValid), "ledger": .string(ledger.directory),
        "entries": .number(JSONNumber(state.size)), "participants": .number(JSONNumber(state.participants.count)),
        "lots": .number(JSONNumber(state.lots.count)), "origin": state.origin.map { .string($0) } ?? .null,
        "checkpoint": checkpoint.map { ["size": .number(JSONNumber($0.size)), "root": .string($0.rootHash.hex)] } ?? .null,
        "findings": .array(verification.findings.map(\.json)),
        "since": trusted.map {
          [
            "size": .number(JSONNumber($0.size)), "root": .string($0.rootHash.hex),
            "resumed": .bool(verification.resumedAt != nil),
          ]
        } ?? .null,
        "seconds": .number(try JSONNumber((seconds * 1000).rounded() / 1000)),
      ])
    } else {
      for finding in verification.findings { print(finding.severity == .warning ? "warning: \(finding)" : "\(finding)") }
      let errors = verification.errorCount
      print("ledger \(ledger.directory): \(verification.isValid ? "valid" : "\(errors) finding\(errors == 1 ? "" : "s")")")
      print("  origin        \(state.origin ?? "?")")
      print("  entries       \(state.size)")
      print("  participants  \(state.participants.count)")
      print("  lots          \(state.lots.count)")
      if let checkpoint {
        print("  checkpoint    \(checkpoint.size) entries, root \(checkpoint.rootHash.hex.prefix(16))…")
      } else {
        print("  checkpoint    none")
      }
      if let trusted {
        let checked =
          (state.size > trusted.size
            ? "entries \(trusted.size)–\(state.size - 1) verified" : "no entries after it")
          + (verification.resumedAt != nil
            ? ", resumed from the derived state" : "; earlier entries' rules replayed, their signatures not rechecked")
        print("  since         checkpoint of \(trusted.size) entries (root \(trusted.rootHash.hex.prefix(16))…): \(checked)")
      }
      print("  time          \((seconds * 100).rounded() / 100) s")
    }
    if !verification.isValid { throw CLIError("", status: .findings) }
  }
}

extension VerifyCommand {
  /// A checkpoint file signed by the log key the ledger's genesis names, for the same log.
  static func trustedCheckpoint(_ path: String, ledger: Ledger) throws -> Checkpoint {
    let bytes = try InputFile.read(path)
    let note: Note
    let checkpoint: Checkpoint
    do {
      note = try Note(parsing: bytes)
      checkpoint = try Checkpoint(text: note.text)
    } catch {
      throw CLIError("--since \(path) is not a signed checkpoint: \(error)")
    }
    guard let genesis = try ledger.readEntry(seq: 0), let statement = try? Statement(payload: genesis.envelope.payload),
      case .genesis(let body) = statement.body
    else {
      throw CLIError("\(ledger.directory) has no readable genesis entry, so --since cannot be checked")
    }
    guard checkpoint.origin == body.origin else {
      throw CLIError("--since \(path) is a checkpoint of \(checkpoint.origin), not of this ledger (\(body.origin))")
    }
    do {
      _ = try note.verify([body.logKey])
    } catch {
      throw CLIError("--since \(path) is not signed by this ledger's log key (\(body.logKey.vkey)): \(error)")
    }
    return checkpoint
  }

  /// The checkpoint must carry valid cosignatures by at least `quorum` of `witnesses`.
  static func quorumFindings(ledger: Ledger, logKey: NoteVerifier?, witnesses: [NoteVerifier], quorum: Int) -> [Finding] {
    func finding(_ code: String, _ message: String) -> [Finding] {
      [Finding(seq: nil, entryID: nil, code: code, message: message)]
    }
    guard let logKey, let bytes = try? ledger.checkpointBytes(), let note = try? Note(parsing: bytes) else {
      return finding("checkpoint.quorum", "no verifiable checkpoint to count cosignatures on")
    }
    do {
      let cosigners = try Witness.cosigners(of: note, logKey: logKey, witnesses: witnesses)
      guard cosigners.count >= quorum else {
        return finding(
          "checkpoint.quorum",
          "\(cosigners.count) of the \(witnesses.count) witnesses cosigned the checkpoint (\(cosigners.map(\.name).joined(separator: ", "))); \(quorum) are required"
        )
      }
      return []
    } catch {
      return finding("checkpoint.cosignature-invalid", "a cosignature on the checkpoint does not verify: \(error)")
    }
  }
}

extension Finding {
  var json: JSONValue {
    var object = JSONObject()
    object["seq"] = seq.map { .number(JSONNumber($0)) } ?? .null
    object["id"] = entryID.map { .string($0.hex) } ?? .null
    object["code"] = .string(code)
    object["message"] = .string(message)
    object["severity"] = .string(severity.rawValue)
    return .object(object)
  }
}
