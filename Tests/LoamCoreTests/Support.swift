import Foundation
import LoamCore
import LoamCrypto
import Synchronization
import Testing

enum Vectors {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Vectors")

  static func json(_ path: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(path))) as? [String: Any])
  }

  static func hex(_ text: Any?) -> [UInt8] { Hex.decode(text as? String ?? "") ?? [] }
}

/// Builds a ledger in memory: signs statements with named participants' keys and applies them.
struct Chain {
  var state = LedgerState()
  var keys: [String: PrivateKey] = [:]
  var entries: [Entry] = []
  var clock = Timestamp("2026-09-01T08:00:00Z")!
  let logKey = try! NoteSigner(name: "example.org/loam/test", privateKey: PrivateKey.generate())

  /// The statements applied so far, for a compact state to read back.
  final class StatementLog: Sendable {
    let statements = Mutex<[EntryTable.ReadBack?]>([])
  }
  let log = StatementLog()

  /// A chain whose state keeps entries compactly and reads statements back from `log`.
  static func compact() -> Chain {
    var chain = Chain()
    let log = chain.log
    chain.state = LedgerState(readingStatements: { seq in
      log.statements.withLock { Int(seq) < $0.count ? $0[Int(seq)] : nil }
    })
    return chain
  }

  /// A genesis with admin `coop`, then growers, a certifier, a lab, a winery and a brand.
  static func standard(compact: Bool = false) -> Chain {
    var chain = compact ? Chain.compact() : Chain()
    chain.keys["coop"] = try! PrivateKey.generate()
    let genesis = chain.apply(
      [
        "kind": "genesis", "actor": "coop", "time": .string(chain.clock.description), "origin": "example.org/loam/test",
        "logKey": .string(chain.logKey.verifier.vkey),
        "participants": [
          ["id": "coop", "name": "Co-op", "roles": ["admin"], "keys": [.string(chain.keys["coop"]!.publicKey.pem)]]
        ],
      ], by: "coop")
    precondition(genesis.isEmpty, "\(genesis)")
    for (id, role, algorithm) in [
      ("grower:a", "grower", SignatureAlgorithm.ed25519), ("grower:b", "grower", .ed25519),
      ("certifier:roc", "certifier", .ed25519),
      ("lab:soil", "lab", .ecdsaP256SHA256), ("winery:w", "processor", .ecdsaP256SHA256), ("brand:x", "brand", .ed25519),
    ] {
      let findings = chain.enroll(id, role: role, algorithm: algorithm)
      precondition(findings.isEmpty, "\(findings)")
    }
    return chain
  }

  mutating func enroll(_ id: String, role: String, algorithm: SignatureAlgorithm = .ed25519) -> [Finding] {
    let key = try! PrivateKey.generate(algorithm)
    keys[id] = key
    return apply(
      [
        "kind": "enroll", "actor": "coop",
        "participant": ["id": .string(id), "name": .string(id), "roles": [.string(role)], "keys": [.string(key.publicKey.pem)]],
      ],
      by: "coop")
  }

  /// Signs `statement` (adding `time` when missing) with `signer`'s key and applies it.
  @discardableResult
  mutating func apply(_ statement: JSONValue, by signer: String, logged: Timestamp? = nil, keys explicit: [PrivateKey]? = nil)
    -> [Finding]
  {
    clock = clock.adding(seconds: 60)
    var object = statement.objectValue!
    if object["time"] == nil { object["time"] = .string(clock.description) }
    let payload = try! JCS.canonicalize(.object(object))
    let envelope = try! DSSEEnvelope(payload: payload, signedBy: explicit ?? [keys[signer]!])
    return apply(envelope: envelope, logged: logged ?? clock)
  }

  mutating func apply(envelope: DSSEEnvelope, logged: Timestamp) -> [Finding] {
    let entry = Entry(seq: state.size, logged: logged, prev: state.head, envelope: envelope)
    entries.append(entry)
    let statement = Result { try Statement(payload: envelope.payload) }.mapError {
      ($0 as? StatementError) ?? StatementError("statement.malformed", "\($0)")
    }
    log.statements.withLock { $0.append((try? statement.get()).map { EntryTable.ReadBack(id: entry.id, statement: $0) }) }
    var known = state.knownKeys
    if case .success(let parsed) = statement {
      switch parsed.body {
      case .genesis(let g): for key in g.participants.flatMap(\.keys) { known[key.keyID] = key }
      case .enroll(let p): for key in p.keys { known[key.keyID] = key }
      case .keys(let k): for key in k.add { known[key.keyID] = key }
      default: break
      }
    }
    return state.apply(entry, statement: statement, signatures: LedgerState.checkSignatures(envelope) { known[$0] })
  }

  var lastID: String { entries.last!.id.hex }
}

func codes(_ findings: [Finding]) -> [String] { findings.map(\.code) }

func quantity(_ value: Int, _ uom: String) -> JSONValue { ["value": .number(JSONNumber(value)), "uom": .string(uom)] }
