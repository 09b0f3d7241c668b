import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore

struct EnrollCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enroll",
    abstract: "Enroll a participant with roles and keys (admins).",
    discussion:
      "Example: loam enroll --id grower:domaine-a --name \"Domaine A\" --role grower --participant-key domaine-a.pub --key admin.pem --log-key log.pem"
  )

  @OptionGroup var common: StatementOptions

  @Option(help: "The new participant's id.") var id: String
  @Option(help: "Its display name.") var name: String
  @Option(help: "A role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")); repeatable.") var role: [String] = []
  @Option(help: "A public (or private) key file of the participant; repeatable.") var participantKey: [String] = []
  @Option(help: "Its GS1 Global Location Number.") var gln: String?

  func run() throws {
    guard !role.isEmpty else { throw CLIError("give at least one --role") }
    guard !participantKey.isEmpty else { throw CLIError("give at least one --participant-key") }
    let pems = try participantKey.map { try KeyFile.readAnyKey($0).publicKey.pem }
    var participant = JSONObject([
      JSONMember("id", .string(id)), JSONMember("name", .string(name)), JSONMember("roles", .array(role.map { .string($0) })),
      JSONMember("keys", .array(pems.map { .string($0) })),
    ])
    if let gln { participant["gln"] = .string(gln) }
    try common.append(kind: .enroll, ["participant": .object(participant)])
  }
}

struct KeysCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys", abstract: "Rotate or revoke a participant's keys.", subcommands: [KeysRotate.self, KeysRevoke.self])
}

struct KeysRotate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rotate",
    abstract: "Add a new key for a participant, optionally revoking the signing key from now on.",
    discussion: "Signed by the participant itself (with its current key) or by an admin."
  )

  @OptionGroup var common: StatementOptions
  @Option(help: "The participant whose keys change (default: the actor).") var participant: String?
  @Option(help: "The new key (public or private key file).") var newKey: String
  @Flag(help: "Also revoke the first --key from now on.") var revokeOld = false

  func run() throws {
    let key = try KeyFile.readAnyKey(newKey).publicKey
    var members: [String: JSONValue] = ["add": [.string(key.pem)]]
    if revokeOld {
      let old = try common.keys.load()[0].publicKey
      members["revoke"] = [["keyid": .string(old.keyID), "from": .string((common.time ?? Clock.now().description))]]
    }
    try appendKeys(common, participant: participant, members)
  }
}

struct KeysRevoke: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "revoke",
    abstract: "Revoke a key: it signs nothing logged at or after --from (which may lie in the past, after a compromise)."
  )

  @OptionGroup var common: StatementOptions
  @Option(help: "The participant whose key is revoked (default: the actor).") var participant: String?
  @Option(help: "The key id to revoke (64 hex digits).") var keyid: String?
  @Option(help: "Or a file holding the key to revoke.") var revokedKey: String?
  @Option(help: "From when (RFC 3339 UTC; default: now).") var from: String?

  func run() throws {
    let id: String
    switch (keyid, revokedKey) {
    case (let hex?, nil): id = hex
    case (nil, let path?): id = try KeyFile.readAnyKey(path).publicKey.keyID
    default: throw CLIError("name the key with exactly one of --keyid or --revoked-key")
    }
    let when = try from.map { try timeJSON($0, option: "--from") } ?? .string(Clock.now().description)
    try appendKeys(common, participant: participant, ["revoke": [["keyid": .string(id), "from": when]]])
  }
}

private func appendKeys(_ common: StatementOptions, participant: String?, _ members: [String: JSONValue]) throws {
  var members = members
  if let participant {
    members["participant"] = .string(participant)
  } else if let actor = common.actor {
    members["participant"] = .string(actor)
  } else {
    let ledger = try common.ledger.open()
    let key = try common.keys.load()[0]
    guard let owner = try ledger.currentState().keys[key.publicKey.keyID]?.owner else {
      throw CLIError("no participant holds key \(key.publicKey.keyID.prefix(12))…; pass --participant")
    }
    members["participant"] = .string(owner)
  }
  try common.append(kind: .keys, members)
}
