import Foundation
import Testing

/// A small supply chain built once through the real `loam` binary: init, enrolments, practices,
/// a measurement, a certification, harvests, a shipment and its receipt, a pressing, a sale, a
/// key rotation and a revocation. Tests copy it before changing anything.
final class SupplyChainFixture: Sendable {
  let root: URL
  var ledger: String { root.appendingPathComponent("ledger").path }
  var keys: String { root.appendingPathComponent("keys").path }
  func key(_ name: String) -> String { keys + "/\(name).pem" }

  static let shared: SupplyChainFixture = {
    do {
      return try SupplyChainFixture()
    } catch {
      fatalError("could not build the supply-chain fixture: \(error)")
    }
  }()

  private init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("loam-fixture-\(UUID().uuidString)")
    fixtureRoot = root.path
    atexit { if let path = fixtureRoot { try? FileManager.default.removeItem(atPath: path) } }
    try FileManager.default.createDirectory(at: root.appendingPathComponent("keys"), withIntermediateDirectories: true)
    func loam(_ arguments: [String]) throws -> String {
      let result = try LoamBinary.run(
        arguments, in: root, environment: ["LOAM_LEDGER": "ledger", "LOAM_LOG_KEY": "keys/log.pem"])
      guard result.status == 0 else { throw FixtureError(message: "loam \(arguments.joined(separator: " ")): \(result)") }
      return result.stdout
    }
    _ = try loam([
      "init", "--origin", "example.org/loam/coop-2026", "--admin", "coop", "--admin-key", "keys/coop.pem", "--log-key",
      "keys/log.pem",
    ])
    for (name, alg) in [
      ("grower-a", "ed25519"), ("grower-b", "ed25519"), ("certifier", "ed25519"), ("lab", "p256"), ("winery", "p256"),
      ("winery-new", "ed25519"),
    ] {
      _ = try loam(["key", "new", "--alg", alg, "--out", "keys/\(name).pem"])
    }
    for (id, role, key) in [
      ("grower:a", "grower", "grower-a"), ("grower:b", "grower", "grower-b"), ("certifier:roc", "certifier", "certifier"),
      ("lab:soil", "lab", "lab"), ("winery:w", "processor", "winery"),
    ] {
      _ = try loam([
        "enroll", "--key", "keys/coop.pem", "--id", id, "--name", id, "--role", role, "--participant-key", "keys/\(key).pem",
      ])
    }
    _ = try loam([
      "append", "field", "--key", "keys/grower-a.pem", "--id", "field:a1", "--name", "North slope", "--hectares", "2.5",
    ])
    _ = try loam(["append", "field", "--key", "keys/grower-b.pem", "--id", "field:b1", "--name", "River bend", "--hectares", "4"])
    _ = try loam([
      "append", "practice", "--key", "keys/grower-a.pem", "--field", "field:a1", "--practice", "cover-crop", "--start",
      "2025-11-01T00:00:00Z", "--end", "2026-03-01T00:00:00Z",
    ])
    _ = try loam([
      "append", "measurement", "--key", "keys/lab.pem", "--field", "field:a1", "--metric", "soil-organic-carbon", "--value",
      "3.1", "--unit", "percent", "--method", "dry-combustion", "--sampled", "2026-06-01T00:00:00Z", "--depth-cm", "30",
    ])
    _ = try loam([
      "append", "certify", "--key", "keys/certifier.pem", "--field", "field:a1", "--standard", "ROC", "--from",
      "2026-01-01T00:00:00Z", "--until", "2027-01-01T00:00:00Z",
    ])
    _ = try loam([
      "append", "harvest", "--key", "keys/grower-a.pem", "--field", "field:a1", "--lot", "LOT-A1", "--product", "grapes",
      "--quantity", "1200", "--uom", "KGM",
    ])
    _ = try loam([
      "append", "harvest", "--key", "keys/grower-b.pem", "--field", "field:b1", "--lot", "LOT-B1", "--product", "grapes",
      "--quantity", "800", "--uom", "KGM",
    ])
    let shipped = try loam([
      "append", "ship", "--key", "keys/grower-a.pem", "--lot", "LOT-A1", "--to", "winery:w", "--quantity", "1000", "--uom", "KGM",
      "--json",
    ])
    let shipment = try #require(
      (try JSONSerialization.jsonObject(with: Data(shipped.utf8)) as? [[String: Any]])?.first?["id"] as? String)
    _ = try loam(["append", "receive", "--key", "keys/winery.pem", "--shipment", shipment, "--quantity", "1", "--uom", "TNE"])
    _ = try loam([
      "append", "transform", "--key", "keys/winery.pem", "--process", "pressing", "--input", "LOT-A1 1000 KGM", "--output",
      "MUST-1 700 LTR must",
    ])
    // The old key is revoked from the next whole second: `--revoke-old` revokes from the statement's
    // time, to the second, and when the rotation is logged a second later the pressing just before it
    // would be reported as signed after the revocation (a warning every few runs).
    let nextSecond = ISO8601DateFormatter().string(
      from: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) + 1))
    _ = try loam([
      "keys", "rotate", "--key", "keys/winery.pem", "--new-key", "keys/winery-new.pem", "--revoke-old", "--time", nextSecond,
    ])
    _ = try loam([
      "append", "sell", "--key", "keys/winery-new.pem", "--lot", "MUST-1", "--quantity", "0.75", "--uom", "LTR", "--item",
      "https://id.gs1.org/01/09506000134352/21/0001",
    ])
    _ = try loam([
      "keys", "revoke", "--key", "keys/coop.pem", "--actor", "coop", "--participant", "grower:b", "--revoked-key",
      "keys/grower-b.pem",
    ])
  }

  /// A private copy of the fixture's ledger (keys stay shared and read-only).
  func copy() throws -> Scratch {
    let scratch = try Scratch()
    // The log and the files beside it, but not the derived state: another test's reader may have
    // state.sqlite open, so its write-ahead log can vanish mid-copy (copyItem then failed), or the
    // copy's database and log be from different moments. The state is rebuilt instead, so a test that
    // compares every file before and after a refused append sees only what the append did.
    let files = FileManager.default
    try files.createDirectory(atPath: scratch.path("ledger"), withIntermediateDirectories: true)
    for name in try files.contentsOfDirectory(atPath: ledger) where !name.hasPrefix("state.sqlite") {
      try files.copyItem(atPath: ledger + "/" + name, toPath: scratch.path("ledger/" + name))
    }
    let settled = try LoamBinary.run(["reindex", "--ledger", scratch.path("ledger")])
    guard settled.status == 0 else { throw FixtureError(message: "reindex of a fixture copy failed: \(settled)") }
    return scratch
  }

  static let entryCount = 19
}

/// Removed when the test process exits.
nonisolated(unsafe) private var fixtureRoot: String?

struct FixtureError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// SHA-256 of every file in a directory, to show that a refused command changed nothing.
func snapshot(_ directory: String) throws -> [String: String] {
  var out: [String: String] = [:]
  for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
    let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    out[name] = try sha256sum(data)
  }
  return out
}

/// The names whose content differs between two snapshots (added, removed or changed), for messages.
func changedFiles(_ before: [String: String], _ after: [String: String]) -> [String] {
  Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
}

func lines(of ledger: String) throws -> [Data] {
  let data = try Data(contentsOf: URL(fileURLWithPath: ledger + "/entries.jsonl"))
  return data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Data($0) }
}

func write(lines: [Data], to ledger: String) throws {
  var data = Data()
  for line in lines { data += line + Data([0x0A]) }
  try data.write(to: URL(fileURLWithPath: ledger + "/entries.jsonl"))
}
