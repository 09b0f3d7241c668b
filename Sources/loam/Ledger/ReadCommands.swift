import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore

/// How `log` and `show` present an entry.
enum EntryView {
  static func json(_ entry: Entry) -> JSONValue {
    var object = JSONObject()
    object["seq"] = .number(JSONNumber(entry.seq))
    object["id"] = .string(entry.id.hex)
    object["logged"] = .string(entry.logged.description)
    object["prev"] = .string(entry.prev.hex)
    object["signatures"] = .array(entry.envelope.signatures.map { .string($0.keyID) })
    object["statement"] = (try? JSONValue(parsing: entry.envelope.payload)) ?? .null
    return .object(object)
  }

  static func line(_ entry: Entry) -> String {
    guard let statement = try? Statement(payload: entry.envelope.payload) else {
      return "\(entry.seq)  \(entry.logged)  (unreadable statement)"
    }
    return
      "\(entry.seq)  \(entry.logged)  \(statement.kind.rawValue + String(repeating: " ", count: max(0, 11 - statement.kind.rawValue.count))) \(statement.actor)  \(statement.summary)"
  }
}

struct LogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "log", abstract: "List entries, decoded.")

  @OptionGroup var ledger: LedgerOption
  @Option(help: "Start at this seq.") var from: UInt64 = 0
  @Option(help: "Only statements of this kind.") var kind: String?
  @Flag(help: "One JSON object per line.") var json = false

  func run() throws {
    if let kind, StatementKind(rawValue: kind) == nil {
      throw CLIError("unknown kind \(kind) (known: \(StatementKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    try ledger.open().forEachLine { seq, line in
      guard seq >= from else { return true }
      guard let entry = try? Entry(line: Array(line)) else {
        print(json ? "{\"seq\":\(seq),\"error\":\"unreadable entry line\"}" : "\(seq)  (unreadable entry line)")
        return true
      }
      if let kind {
        guard let statement = try? Statement(payload: entry.envelope.payload), statement.kind.rawValue == kind else {
          return true
        }
      }
      if json {
        try Output.json(EntryView.json(entry))
      } else {
        print(EntryView.line(entry))
      }
      return true
    }
  }
}

struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one entry by seq or id.")

  @OptionGroup var ledger: LedgerOption
  @Argument(help: "A seq number or an entry id (64 hex digits).") var entry: String
  @Flag(help: "Print the result as JSON.") var json = false

  func run() throws {
    let ledger = try ledger.open()
    var found: Entry? = nil
    let seq = UInt64(entry)
    let id = SHA256Digest(hex: entry)
    guard seq != nil || id != nil else { throw CLIError("\(entry) is neither a seq number nor a 64-hex-digit entry id") }
    try ledger.forEachLine { index, line in
      if let seq, index == seq {
        found = try Entry(line: Array(line))
        return false
      }
      if let id, MerkleHash.leaf(line) == id {
        found = try Entry(line: Array(line))
        return false
      }
      return true
    }
    guard let found else { throw CLIError("no entry \(entry) in \(ledger.directory)") }
    if json {
      try Output.json(EntryView.json(found))
    } else {
      print("entry \(found.seq)  \(found.id.hex)")
      print("logged     \(found.logged)")
      print("prev       \(found.prev.hex)")
      for signature in found.envelope.signatures { print("signed by  key \(signature.keyID)") }
      if let statement = try? JSONValue(parsing: found.envelope.payload),
        let text = try? JCS.canonicalize(statement, numbers: .roundToDouble)
      {
        print("statement  \(String(decoding: text, as: UTF8.self))")
      }
    }
  }
}

extension CheckpointCommand {
  /// Adds cosignatures that verify, with a given witness key, over this very checkpoint.
  func add(_ path: String, to bytes: [UInt8], ledger: Ledger) throws {
    guard !witness.isEmpty else { throw CLIError("--add-cosignature needs --witness VKEY, the key to check it with") }
    let witnesses = try witness.map { vkey -> NoteVerifier in
      do { return try NoteVerifier(vkey: vkey) } catch { throw CLIError("--witness \(vkey): \(error)") }
    }
    var lines = try InputFile.read(path)
    if lines.last != 0x0A { lines.append(0x0A) }
    let verified: Note.Verification
    do {
      // The lines belong after the checkpoint's own signatures: parsed together, they must verify over its text.
      verified = try Note(parsing: bytes + lines).verify(witnesses)
    } catch {
      throw CLIError("\(path) holds no valid cosignature of this checkpoint by the --witness keys: \(error)")
    }
    let note = try Note(parsing: bytes + lines)
    var added = 0
    for signature in note.signatures {
      guard witnesses.contains(where: { $0.name == signature.name && $0.keyID == signature.keyID }) else { continue }
      // Only onto the same checkpoint: a newer one (an append came in meanwhile) needs its own cosignature.
      guard let current = try ledger.checkpointBytes(), (try? Note(parsing: current))?.text == note.text else {
        throw CLIError("the checkpoint changed since it was cosigned (entries were appended); cosign the new one")
      }
      try ledger.addCosignature(signature, toCheckpoint: current)
      added += 1
    }
    Output.note(
      "Added \(added) cosignature\(added == 1 ? "" : "s") (\(verified.verified.map(\.verifier.name).joined(separator: ", "))) to the checkpoint of \(ledger.directory)."
    )
  }
}

struct CheckpointCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint", abstract: "Print the ledger's latest signed checkpoint (a C2SP signed note).")

  @OptionGroup var ledger: LedgerOption
  @Flag(help: "Print origin, size and root as JSON.") var json = false
  @Option(
    help: "Add the cosignature line(s) in this file (from `loam witness cosign --checkpoint`) to the checkpoint.")
  var addCosignature: String?
  @Option(help: "With --add-cosignature: the witness's verifier key; repeatable.") var witness: [String] = []

  func run() throws {
    let ledger = try ledger.open()
    guard let bytes = try ledger.checkpointBytes() else { throw CLIError("\(ledger.directory) has no checkpoint yet") }
    if let addCosignature {
      try add(addCosignature, to: bytes, ledger: ledger)
      return
    }
    if json {
      let note = try Note(parsing: bytes)
      let checkpoint = try Checkpoint(text: note.text)
      try Output.json([
        "origin": .string(checkpoint.origin), "size": .number(JSONNumber(checkpoint.size)),
        "root": .string(checkpoint.rootHash.hex),
        "note": .string(String(decoding: bytes, as: UTF8.self)),
      ])
    } else {
      print(String(decoding: bytes, as: UTF8.self), terminator: "")
    }
  }
}
