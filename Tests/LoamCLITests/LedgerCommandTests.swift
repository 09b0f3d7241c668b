import Foundation
import Testing

/// The ledger verbs end to end: the fixture's supply chain verifies, its files are DESIGN.md's
/// formats, and an independent implementation agrees.
@Suite struct LedgerCommandTests {
  let fixture = SupplyChainFixture.shared

  @Test func theSupplyChainVerifies() throws {
    let result = try LoamBinary.run(["verify", "--ledger", fixture.ledger])
    #expect(result.status == 0, "\(result)")
    #expect(result.stdout.contains("valid"))
    #expect(result.stdout.contains("entries       \(SupplyChainFixture.entryCount)"))
    let json = try LoamBinary.run(["verify", "--ledger", fixture.ledger, "--json", "--strict"])
    #expect(json.status == 0)
    let report = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(report["valid"] as? Bool == true)
    #expect(report["entries"] as? Int == SupplyChainFixture.entryCount)
    #expect(report["participants"] as? Int == 6)
    #expect((report["findings"] as? [Any])?.isEmpty == true)
  }

  /// Checked by `Tools/interop/pyledger.py`, which knows only DESIGN.md: canonical lines, seq,
  /// prev chain, non-decreasing logged, and the checkpoint's RFC 9162 root.
  @Test func theFilesAreDesignFormats() throws {
    let check = try python(["check", fixture.ledger])
    #expect(check.status == 0, "\(check.output)")
    #expect(check.output.contains("\(SupplyChainFixture.entryCount) entries"))

    let entries = try lines(of: fixture.ledger)
    for (seq, line) in entries.enumerated() {
      let object = try #require(JSONSerialization.jsonObject(with: line) as? [String: Any])
      #expect(Set(object.keys) == ["envelope", "logged", "prev", "seq"])
      #expect(object["seq"] as? Int == seq)
      let envelope = try #require(object["envelope"] as? [String: Any])
      #expect(envelope["payloadType"] as? String == "application/vnd.loam.statement.v1+json")
      let signatures = try #require(envelope["signatures"] as? [[String: Any]])
      #expect(signatures.allSatisfy { ($0["keyid"] as? String)?.count == 64 })
    }
    // The checkpoint is a C2SP signed note by the log key, which openssl verifies.
    let note = String(decoding: try Data(contentsOf: URL(fileURLWithPath: fixture.ledger + "/checkpoint")), as: UTF8.self)
    let parts = note.components(separatedBy: "\n\n")
    #expect(parts.count == 2)
    let body = parts[0] + "\n"
    #expect(body.hasPrefix("example.org/loam/coop-2026\n\(SupplyChainFixture.entryCount)\n"))
    let signatureLine = parts[1].trimmingCharacters(in: .newlines)
    #expect(signatureLine.hasPrefix("\u{2014} example.org/loam/coop-2026 "))
    let signature = try #require(Data(base64Encoded: String(signatureLine.split(separator: " ").last!)))
    #expect(signature.count == 4 + 64)
    let scratch = try Scratch()
    try Data(body.utf8).write(to: URL(fileURLWithPath: scratch.path("body")))
    try signature.dropFirst(4).write(to: URL(fileURLWithPath: scratch.path("sig")))
    #expect(try openssl(["pkey", "-in", fixture.key("log"), "-pubout", "-out", scratch.path("log.pub")]).status == 0)
    let verified = try openssl([
      "pkeyutl", "-verify", "-pubin", "-inkey", scratch.path("log.pub"), "-rawin", "-in", scratch.path("body"), "-sigfile",
      scratch.path("sig"),
    ])
    #expect(verified.status == 0)
  }

  @Test func aLedgerWrittenByAnotherImplementationVerifiesAndTakesAppends() throws {
    let scratch = try Scratch()
    let written = try python(["write", scratch.path("ledger"), scratch.path("keys")])
    #expect(written.status == 0, "\(written.output)")
    let verified = try LoamBinary.run(["verify", "--ledger", scratch.path("ledger")])
    #expect(verified.status == 0, "\(verified)")
    let appended = try LoamBinary.run([
      "append", "sell", "--ledger", scratch.path("ledger"), "--key", scratch.path("keys/grower.pem"), "--log-key",
      scratch.path("keys/log.pem"), "--lot", "LOT-PY-1", "--quantity", "10", "--uom", "KGM",
    ])
    #expect(appended.status == 0, "\(appended)")
    #expect(try LoamBinary.run(["verify", "--ledger", scratch.path("ledger")]).status == 0)
    let checked = try python(["check", scratch.path("ledger")])
    #expect(checked.status == 0, "\(checked.output)")
    #expect(checked.output.contains("5 entries"))
  }

  @Test func logShowAndCheckpoint() throws {
    let log = try LoamBinary.run(["log", "--ledger", fixture.ledger])
    #expect(log.status == 0)
    #expect(log.stdout.split(separator: "\n").count == SupplyChainFixture.entryCount)
    #expect(log.stdout.contains("harvest"))
    let harvests = try LoamBinary.run(["log", "--ledger", fixture.ledger, "--kind", "harvest", "--json"])
    #expect(harvests.stdout.split(separator: "\n").count == 2)
    let first = try #require(
      JSONSerialization.jsonObject(with: Data(harvests.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])
    let id = try #require(first["id"] as? String)
    let shownByID = try LoamBinary.run(["show", "--ledger", fixture.ledger, id, "--json"])
    let shownBySeq = try LoamBinary.run(["show", "--ledger", fixture.ledger, String(first["seq"] as? Int ?? -1), "--json"])
    #expect(shownByID.status == 0 && shownByID.stdout == shownBySeq.stdout)
    let checkpoint = try LoamBinary.run(["checkpoint", "--ledger", fixture.ledger, "--json"])
    let object = try #require(JSONSerialization.jsonObject(with: Data(checkpoint.stdout.utf8)) as? [String: Any])
    #expect(object["size"] as? Int == SupplyChainFixture.entryCount)
    #expect(try LoamBinary.run(["show", "--ledger", fixture.ledger, "999"]).status == 2)
    #expect(try LoamBinary.run(["log", "--ledger", fixture.ledger, "--kind", "teleport"]).status == 2)
  }

  @Test func signThenSubmitAndRefsAreIdempotent() throws {
    let scratch = try fixture.copy()
    let statement =
      #"{"kind":"observe","actor":"lab:soil","time":"2026-10-01T00:00:00Z","lot":"MUST-1","observation":{"brix":21.5},"ref":"0b7f9a52-0f7e-4f3c-a1b2-c3d4e5f60718"}"#
    try Data(statement.utf8).write(to: URL(fileURLWithPath: scratch.path("s.json")))
    let signed = try LoamBinary.run(["sign", "--key", fixture.key("lab"), scratch.path("s.json")])
    #expect(signed.status == 0, "\(signed)")
    try Data(signed.stdout.utf8).write(to: URL(fileURLWithPath: scratch.path("e.json")))
    let env = ["LOAM_LEDGER": scratch.path("ledger"), "LOAM_LOG_KEY": fixture.key("log")]
    let first = try LoamBinary.run(["submit", scratch.path("e.json")], environment: env)
    #expect(first.status == 0, "\(first)")
    #expect(first.stdout.hasPrefix("appended entry \(SupplyChainFixture.entryCount) "))
    let again = try LoamBinary.run(["submit", scratch.path("e.json")], environment: env)
    #expect(again.status == 0)
    #expect(again.stdout.hasPrefix("already logged entry \(SupplyChainFixture.entryCount) "))
    #expect(try lines(of: scratch.path("ledger")).count == SupplyChainFixture.entryCount + 1)
    #expect(try LoamBinary.run(["verify"], environment: env).status == 0)
  }

  /// The same statement twice in one batch is one entry (the second is reported as already
  /// logged); two statements with one ref in one batch are refused, naming the entry of the batch.
  @Test func aRefTwiceInOneBatch() throws {
    let scratch = try fixture.copy()
    func envelope(_ name: String, brix: String, ref: String) throws -> String {
      let statement =
        #"{"kind":"observe","actor":"lab:soil","time":"2026-10-01T00:00:00Z","lot":"MUST-1","observation":{"brix":"#
        + brix + #"},"ref":""# + ref + #""}"#
      try Data(statement.utf8).write(to: URL(fileURLWithPath: scratch.path(name + ".json")))
      let signed = try LoamBinary.run(["sign", "--key", fixture.key("lab"), scratch.path(name + ".json")])
      #expect(signed.status == 0, "\(signed)")
      try Data(signed.stdout.utf8).write(to: URL(fileURLWithPath: scratch.path(name + ".env")))
      return scratch.path(name + ".env")
    }
    let env = ["LOAM_LEDGER": scratch.path("ledger"), "LOAM_LOG_KEY": fixture.key("log")]
    let same = try envelope("same", brix: "21.5", ref: "batch-ref-1")
    let twice = try LoamBinary.run(["submit", same, same], environment: env)
    #expect(twice.status == 0, "\(twice)")
    let printed = twice.stdout.split(separator: "\n")
    #expect(printed.count == 2)
    #expect(printed.first?.hasPrefix("appended entry \(SupplyChainFixture.entryCount) ") == true, "\(twice)")
    #expect(printed.last?.hasPrefix("already logged entry \(SupplyChainFixture.entryCount) ") == true, "\(twice)")
    #expect(printed.first?.split(separator: " ").last == printed.last?.split(separator: " ").last)
    #expect(try lines(of: scratch.path("ledger")).count == SupplyChainFixture.entryCount + 1)

    let before = try snapshot(scratch.path("ledger"))
    let one = try envelope("one", brix: "20", ref: "batch-ref-2")
    let other = try envelope("other", brix: "19", ref: "batch-ref-2")
    let conflicting = try LoamBinary.run(["submit", one, other], environment: env)
    #expect(conflicting.status == 1, "\(conflicting)")
    #expect(
      conflicting.stderr.contains(
        "ref \"batch-ref-2\" is used by entry \(SupplyChainFixture.entryCount + 1) of this batch for a different statement"),
      "\(conflicting)")
    #expect(try snapshot(scratch.path("ledger")) == before)
    #expect(try LoamBinary.run(["verify"], environment: env).status == 0)
  }

  func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
      .appendingPathComponent("Tools/interop/pyledger.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
