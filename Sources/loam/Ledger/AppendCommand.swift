import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore

/// What every statement-writing command shares: where, who signs, when, and the ref.
struct StatementOptions: ParsableArguments {
  @OptionGroup var ledger: LedgerOption
  @OptionGroup var logKey: LogKeyOption
  @OptionGroup var keys: SigningKeysOption

  @Option(help: "The participant making the statement (default: the owner of the first --key in the ledger).")
  var actor: String?

  @Option(help: "When it happened, RFC 3339 UTC (default: now).")
  var time: String?

  @Option(help: "A unique id (e.g. a UUID) that makes resubmitting this statement harmless.")
  var ref: String?

  @Flag(help: "Print the result as JSON.")
  var json = false

  /// Signs `members` (plus kind, actor, time, ref) and appends it.
  func append(kind: StatementKind, _ members: [String: JSONValue]) throws {
    let ledger = try ledger.open()
    let signingKeys = try keys.load()
    let when: String
    if let time {
      guard Timestamp(time) != nil else {
        throw CLIError("--time \(time) is not an RFC 3339 UTC time such as 2026-09-14T07:31:02Z")
      }
      when = time
    } else {
      when = Clock.now().description
    }
    // The actor, when not given, is the first key's owner in the state the append itself opens.
    try Signing.submit(ledger: ledger, logKey: logKey, json: json) { state in
      var object = JSONObject()
      object["kind"] = .string(kind.rawValue)
      object["actor"] = .string(try actor ?? Self.owner(of: signingKeys[0], in: state, ledger: ledger))
      object["time"] = .string(when)
      if let ref { object["ref"] = .string(ref) }
      for (key, value) in members.sorted(by: { $0.key < $1.key }) { object[key] = value }
      return [try Signing.sign(statement: .object(object), keys: signingKeys, source: "the \(kind) statement")]
    }
  }

  private static func owner(of key: PrivateKey, in state: LedgerState, ledger: Ledger) throws -> String {
    guard let owner = state.keys[key.publicKey.keyID]?.owner else {
      throw CLIError(
        "no participant in \(ledger.directory) holds key \(key.publicKey.keyID.prefix(12))…; pass --actor or enroll the key")
    }
    return owner
  }
}

/// `--quantity N --uom CODE`.
struct QuantityOptions: ParsableArguments {
  @Option(help: "The quantity (an exact decimal number).")
  var quantity: String

  @Option(help: "Its UN/ECE Rec 20 unit: KGM, TNE, GRM, LTR, MLT, HLT, H87 …")
  var uom: String

  func json() throws -> JSONValue { try quantityJSON(quantity, uom, option: "--quantity") }
}

func quantityJSON(_ value: String, _ uom: String, option: String) throws -> JSONValue {
  guard let decimal = ExactDecimal(value), decimal.isPositive else {
    throw CLIError("\(option) \(value) must be a positive decimal number such as 1250 or 12.5")
  }
  return ["value": .number(decimal.jsonNumber), "uom": .string(uom)]
}

func timeJSON(_ text: String, option: String) throws -> JSONValue {
  guard Timestamp(text) != nil else {
    throw CLIError("\(option) \(text) is not an RFC 3339 UTC time such as 2026-09-14T07:31:02Z")
  }
  return .string(text)
}

struct AppendCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "append",
    abstract: "Sign a statement and append it (= sign + submit), or use a typed shortcut.",
    discussion: """
      `loam append STATEMENT.json` signs a statement written in JSON. The shortcuts build the statement from flags: `loam append harvest --field F --lot L --product grapes --quantity 1250 --uom KGM --key grower.pem --log-key log.pem`.
      """,
    subcommands: [
      AppendFile.self, AppendField.self, AppendPractice.self, AppendMeasurement.self, AppendCertify.self, AppendHarvest.self,
      AppendShip.self, AppendReceive.self, AppendTransform.self, AppendSell.self, AppendObserve.self, AppendCorrect.self,
    ],
    defaultSubcommand: AppendFile.self
  )
}

struct AppendFile: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "file", abstract: "Sign and append a statement from a JSON file or standard input.")

  @OptionGroup var ledger: LedgerOption
  @OptionGroup var logKey: LogKeyOption
  @OptionGroup var keys: SigningKeysOption

  @Flag(help: "Print the result as JSON.")
  var json = false

  @Argument(help: "The statement file, or - for standard input.")
  var statement: String

  func run() throws {
    let source = InputFile.name(statement)
    let value = try Signing.parseStatement(try InputFile.read(statement), source: source)
    let envelope = try Signing.sign(statement: value, keys: try keys.load(), source: source)
    try Signing.submit([envelope], ledger: try ledger.open(), logKey: logKey, json: json)
  }
}

struct AppendField: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "field", abstract: "Register a field you farm (growers).")
  @OptionGroup var common: StatementOptions
  @Option(help: "The field id.") var id: String
  @Option(help: "Its name.") var name: String
  @Option(help: "Its area in hectares.") var hectares: String
  @Option(help: "ISO 3166 country code.") var country: String?

  func run() throws {
    var field: JSONObject = JSONObject([JSONMember("id", .string(id)), JSONMember("name", .string(name))])
    field["area"] = try quantityJSON(hectares, "HAR", option: "--hectares")
    if let country { field["country"] = .string(country) }
    try common.append(kind: .field, ["field": .object(field)])
  }
}

struct AppendPractice: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "practice", abstract: "Log a farming practice on a field.")
  @OptionGroup var common: StatementOptions
  @Option(help: "The field.") var field: String
  @Option(
    help:
      "cover-crop, no-till, reduced-till, compost, managed-grazing, crop-rotation, agroforestry, hedgerow, no-synthetic-inputs or other."
  )
  var practice: String
  @Option(help: "Start of the period (RFC 3339 UTC).") var start: String
  @Option(help: "End of the period (RFC 3339 UTC).") var end: String
  @Option(help: "SHA-256 (hex) of a supporting document; repeatable.") var evidence: [String] = []

  func run() throws {
    var members: [String: JSONValue] = [
      "field": .string(field), "practice": .string(practice),
      "period": ["start": try timeJSON(start, option: "--start"), "end": try timeJSON(end, option: "--end")],
    ]
    if !evidence.isEmpty { members["evidence"] = .array(evidence.map { ["sha256": .string($0)] }) }
    try common.append(kind: .practice, members)
  }
}

struct AppendMeasurement: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "measurement", abstract: "Log a soil or field measurement.")
  @OptionGroup var common: StatementOptions
  @Option(help: "The field.") var field: String
  @Option(help: "soil-organic-carbon, bulk-density, ph, infiltration, earthworms, biodiversity …") var metric: String
  @Option(help: "The measured value.") var value: String
  @Option(help: "Its unit, e.g. percent, g/cm3.") var unit: String
  @Option(help: "The method, e.g. dry-combustion.") var method: String
  @Option(help: "When the sample was taken (RFC 3339 UTC).") var sampled: String
  @Option(help: "Sampling depth in cm.") var depthCm: String?

  func run() throws {
    guard let number = ExactDecimal(value) else { throw CLIError("--value \(value) must be a decimal number") }
    var members: [String: JSONValue] = [
      "field": .string(field), "metric": .string(metric), "value": .number(number.jsonNumber), "unit": .string(unit),
      "method": .string(method), "sampled": try timeJSON(sampled, option: "--sampled"),
    ]
    if let depthCm {
      guard let depth = ExactDecimal(depthCm) else { throw CLIError("--depth-cm \(depthCm) must be a decimal number") }
      members["depthCm"] = .number(depth.jsonNumber)
    }
    try common.append(kind: .measurement, members)
  }
}

struct AppendCertify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "certify", abstract: "Attest a field, participant or lot against a standard (certifiers).")
  @OptionGroup var common: StatementOptions
  @Option(help: "The certified field.") var field: String?
  @Option(help: "The certified lot.") var lot: String?
  @Option(help: "The certified participant.") var participant: String?
  @Option(help: "The standard, e.g. ROC, EOV, organic.") var standard: String
  @Option(help: "Level, e.g. gold.") var level: String?
  @Option(help: "Valid from (RFC 3339 UTC).") var from: String
  @Option(help: "Valid until (RFC 3339 UTC).") var until: String
  @Option(help: "Certificate reference.") var reference: String?

  func run() throws {
    let subjects = [("field", field), ("lot", lot), ("participant", participant)].compactMap { key, value in
      value.map { (key, $0) }
    }
    guard subjects.count == 1 else { throw CLIError("name exactly one of --field, --lot or --participant") }
    var members: [String: JSONValue] = [
      "subject": .object(JSONObject([JSONMember(subjects[0].0, .string(subjects[0].1))])), "standard": .string(standard),
      "valid": ["from": try timeJSON(from, option: "--from"), "until": try timeJSON(until, option: "--until")],
    ]
    if let level { members["level"] = .string(level) }
    if let reference { members["reference"] = .string(reference) }
    try common.append(kind: .certify, members)
  }
}

struct AppendHarvest: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "harvest", abstract: "Log a harvest: creates a lot you hold.")
  @OptionGroup var common: StatementOptions
  @Option(help: "The field harvested.") var field: String
  @Option(help: "The new lot's id.") var lot: String
  @Option(help: "The product, e.g. grapes.") var product: String
  @OptionGroup var quantity: QuantityOptions

  func run() throws {
    try common.append(
      kind: .harvest,
      ["field": .string(field), "lot": .string(lot), "product": .string(product), "quantity": try quantity.json()])
  }
}

struct AppendShip: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ship", abstract: "Ship part or all of a lot you hold to a participant.")
  @OptionGroup var common: StatementOptions
  @Option(help: "The lot.") var lot: String
  @Option(help: "The addressee's participant id.") var to: String
  @OptionGroup var quantity: QuantityOptions

  func run() throws {
    try common.append(kind: .ship, ["lot": .string(lot), "to": .string(to), "quantity": try quantity.json()])
  }
}

struct AppendReceive: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "receive", abstract: "Receive (part of) a shipment addressed to you.")
  @OptionGroup var common: StatementOptions
  @Option(help: "The entry id of the ship statement.") var shipment: String
  @OptionGroup var quantity: QuantityOptions

  func run() throws {
    try common.append(kind: .receive, ["shipment": .string(shipment), "quantity": try quantity.json()])
  }
}

struct AppendTransform: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transform", abstract: "Turn lots you hold into new lots (press, blend, bottle).",
    discussion: "Example: loam append transform --process pressing --input \"GRAPES-1 1000 KGM\" --output \"MUST-1 700 LTR must\""
  )
  @OptionGroup var common: StatementOptions
  @Option(help: "An input: \"LOT QUANTITY UOM\"; repeatable.") var input: [String] = []
  @Option(help: "An output: \"LOT QUANTITY UOM PRODUCT\"; repeatable.") var output: [String] = []
  @Option(help: "The process, e.g. pressing, blending, bottling.") var process: String
  @Option(help: "How inputs of different dimensions compare: \"1 KGM = 0.7 LTR\"; repeatable.") var conversion: [String] = []

  func run() throws {
    guard !input.isEmpty, !output.isEmpty else { throw CLIError("a transform needs at least one --input and one --output") }
    let inputs: [JSONValue] = try input.map { text in
      let parts = text.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count == 3 else { throw CLIError("--input \"\(text)\" must be \"LOT QUANTITY UOM\"") }
      return [
        "lot": .string(String(parts[0])), "quantity": try quantityJSON(String(parts[1]), String(parts[2]), option: "--input"),
      ]
    }
    let outputs: [JSONValue] = try output.map { text in
      let parts = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
      guard parts.count == 4 else { throw CLIError("--output \"\(text)\" must be \"LOT QUANTITY UOM PRODUCT\"") }
      return [
        "lot": .string(String(parts[0])), "quantity": try quantityJSON(String(parts[1]), String(parts[2]), option: "--output"),
        "product": .string(String(parts[3])),
      ]
    }
    let conversions: [JSONValue] = try conversion.map { text in
      let parts = text.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count == 5, parts[2] == "=" else { throw CLIError("--conversion \"\(text)\" must be \"1 KGM = 0.7 LTR\"") }
      return [
        "from": try quantityJSON(String(parts[0]), String(parts[1]), option: "--conversion"),
        "to": try quantityJSON(String(parts[3]), String(parts[4]), option: "--conversion"),
      ]
    }
    var members: [String: JSONValue] = ["inputs": .array(inputs), "outputs": .array(outputs), "process": .string(process)]
    if !conversions.isEmpty { members["conversions"] = .array(conversions) }
    try common.append(kind: .transform, members)
  }
}

struct AppendSell: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sell", abstract: "Sell from a lot you hold (removes it from stock).")
  @OptionGroup var common: StatementOptions
  @Option(help: "The lot.") var lot: String
  @OptionGroup var quantity: QuantityOptions
  @Option(help: "A consumer unit sold (serial or GS1 Digital Link URI); repeatable.") var item: [String] = []

  func run() throws {
    var members: [String: JSONValue] = ["lot": .string(lot), "quantity": try quantity.json()]
    if !item.isEmpty { members["items"] = .array(item.map { .string($0) }) }
    try common.append(kind: .sell, members)
  }
}

struct AppendObserve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "observe", abstract: "Record an observation about a lot (no state change).")
  @OptionGroup var common: StatementOptions
  @Option(help: "The lot.") var lot: String
  @Option(help: "The observation as a JSON object.") var observation: String

  func run() throws {
    let value = try Signing.parseStatement(Array(observation.utf8), source: "--observation")
    try common.append(kind: .observe, ["lot": .string(lot), "observation": value])
  }
}

struct AppendCorrect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "correct", abstract: "Void an earlier entry's effect (history is never rewritten).")
  @OptionGroup var common: StatementOptions
  @Option(help: "The entry id to correct.") var entry: String
  @Option(help: "Why.") var reason: String

  func run() throws {
    try common.append(kind: .correct, ["entry": .string(entry), "reason": .string(reason)])
  }
}
