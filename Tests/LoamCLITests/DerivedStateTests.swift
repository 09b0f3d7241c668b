import Foundation
import Testing

/// `state.sqlite` is derived from the log and never trusted over it: missing, damaged, stale
/// or from another ledger, it is caught up or rebuilt, and the rules still hold.
@Suite struct DerivedStateTests {
  let fixture = SupplyChainFixture.shared

  func sell(_ ledger: String, _ quantity: String) throws -> LoamBinary.Result {
    try LoamBinary.run([
      "append", "sell", "--ledger", ledger, "--key", fixture.key("winery-new"), "--log-key", fixture.key("log"), "--lot",
      "MUST-1",
      "--quantity", quantity, "--uom", "LTR",
    ])
  }

  @Test(arguments: ["missing", "garbage", "stale", "foreign"])
  func rebuiltOrCaughtUp(_ damage: String) throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let state = ledger + "/state.sqlite"
    #expect(FileManager.default.fileExists(atPath: state))
    switch damage {
    case "missing":
      try FileManager.default.removeItem(atPath: state)
    case "garbage":
      try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: state))
    case "stale":
      // The state of an earlier moment: the log has moved on since.
      let saved = try Data(contentsOf: URL(fileURLWithPath: state))
      #expect(try sell(ledger, "1").status == 0)
      try saved.write(to: URL(fileURLWithPath: state))
    default:
      // The state of another ledger.
      let other = try Scratch()
      let made = try LoamBinary.run([
        "init", "--ledger", other.path("l"), "--origin", "example.org/other", "--admin", "a", "--admin-key", other.path("a.pem"),
        "--log-key", other.path("log.pem"),
      ])
      #expect(made.status == 0)
      try FileManager.default.removeItem(atPath: state)
      try FileManager.default.copyItem(atPath: other.path("l/state.sqlite"), toPath: state)
    }
    // MUST-1 holds 699.25 L (or 698.25 after the stale case's sale): too much is refused,
    // the right amount is accepted, and the ledger verifies.
    let held = damage == "stale" ? "698.25" : "699.25"
    let tooMuch = try sell(ledger, "700")
    #expect(tooMuch.status == 1, "\(damage): \(tooMuch)")
    #expect(tooMuch.stderr.contains("holds \(held) LTR"), "\(damage): \(tooMuch)")
    #expect(try sell(ledger, held).status == 0)
    #expect(try sell(ledger, "0.01").status == 1)
    #expect(try LoamBinary.run(["verify", "--ledger", ledger]).status == 0)
  }
}

/// A compromise: a key revoked from a time in the past. Entries it signed since are warnings;
/// it signs nothing more.
@Suite struct RetroactiveRevocationTests {
  let fixture = SupplyChainFixture.shared

  @Test func entriesSignedAfterFromAreReported() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    func sell() throws -> LoamBinary.Result {
      try LoamBinary.run([
        "append", "sell", "--ledger", ledger, "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "--lot",
        "LOT-A1",
        "--quantity", "1", "--uom", "KGM",
      ])
    }
    #expect(try sell().status == 0)
    let sold = SupplyChainFixture.entryCount
    let revoked = try LoamBinary.run([
      "keys", "revoke", "--ledger", ledger, "--key", fixture.key("coop"), "--log-key", fixture.key("log"), "--actor", "coop",
      "--participant", "grower:a",
      "--revoked-key", fixture.key("grower-a"), "--from", "2026-01-01T00:00:00Z",
    ])
    #expect(revoked.status == 0, "\(revoked)")
    let refused = try sell()
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("sig.revoked-key"))
    let verified = try LoamBinary.run(["verify", "--ledger", ledger, "--json"])
    #expect(verified.status == 0, "\(verified)")
    let report = try #require(JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
    let warnings = (report["findings"] as? [[String: Any]] ?? []).filter { $0["code"] as? String == "sig.revoked-retroactively" }
    // grower:a signed its field, practice, harvest and ship in the fixture, and the sale above.
    let seqs = warnings.compactMap { $0["seq"] as? Int }
    #expect(seqs.contains(sold))
    #expect(seqs.count == 5, "\(seqs)")
    #expect(seqs == seqs.sorted())
  }
}
