import Foundation
import Testing

/// Any change to the log or the checkpoint makes `loam verify` exit 1 and name the first
/// affected entry.
@Suite struct TamperTests {
  let fixture = SupplyChainFixture.shared

  /// Runs verify on a tampered copy; returns the seqs its findings name (errors only).
  func verify(_ ledger: String) throws -> (status: Int32, seqs: [Int], codes: [String], text: String) {
    let result = try LoamBinary.run(["verify", "--ledger", ledger, "--json"])
    let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    let findings = (report["findings"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "error" }
    return (
      result.status, findings.compactMap { $0["seq"] as? Int }, findings.compactMap { $0["code"] as? String }, result.stdout
    )
  }

  @Test func changingAnyByteOfAnyLineIsFound() throws {
    let original = try lines(of: fixture.ledger)
    var generator = SystemRandomNumberGenerator()
    for seq in original.indices {
      let scratch = try fixture.copy()
      var changed = original
      var bytes = [UInt8](changed[seq])
      let position = Int.random(in: 0..<bytes.count, using: &generator)
      let old = bytes[position]
      bytes[position] =
        old == UInt8(ascii: "a") ? UInt8(ascii: "b") : (old == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "a"))
      changed[seq] = Data(bytes)
      try write(lines: changed, to: scratch.path("ledger"))
      let result = try verify(scratch.path("ledger"))
      #expect(result.status == 1, "byte \(position) of entry \(seq): \(result.text)")
      // The first finding names the changed entry, or the next one whose prev no longer matches
      // (a change to `logged` alone keeps the signature valid), or — for the last entry — the
      // checkpoint, whose root no longer matches.
      if let first = result.seqs.first {
        #expect(first == seq || first == seq + 1, "byte \(position) of entry \(seq): \(result.text)")
      } else {
        #expect(seq == original.count - 1 && result.codes.contains("checkpoint.root-mismatch"), "\(result.text)")
      }
    }
  }

  @Test func changingTheCheckpointIsFound() throws {
    let scratch = try fixture.copy()
    let path = scratch.path("ledger") + "/checkpoint"
    var note = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let rootLine = note.indices.filter { note[$0] == 0x0A }[1] + 3
    note[rootLine] = note[rootLine] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    try Data(note).write(to: URL(fileURLWithPath: path))
    let result = try verify(scratch.path("ledger"))
    #expect(result.status == 1)
    #expect(result.codes == ["checkpoint.invalid"])
  }

  @Test(arguments: ["delete", "duplicate", "swap", "truncate", "copy-signature"])
  func structuralTampering(_ kind: String) throws {
    let scratch = try fixture.copy()
    var entries = try lines(of: scratch.path("ledger"))
    let target = 9
    var expectedSeq = target
    switch kind {
    case "delete": entries.remove(at: target)
    case "duplicate": entries.insert(entries[target], at: target + 1); expectedSeq = target + 1
    case "swap": entries.swapAt(target, target + 1)
    case "truncate": entries.removeLast(3); expectedSeq = -1
    default:
      // Put entry 4's signature onto entry 9.
      var victim = try #require(JSONSerialization.jsonObject(with: entries[target]) as? [String: Any])
      let donor = try #require(JSONSerialization.jsonObject(with: entries[4]) as? [String: Any])
      var envelope = try #require(victim["envelope"] as? [String: Any])
      envelope["signatures"] = (donor["envelope"] as? [String: Any])?["signatures"]
      victim["envelope"] = envelope
      entries[target] = try JSONSerialization.data(withJSONObject: victim, options: [.sortedKeys, .withoutEscapingSlashes])
    }
    try write(lines: entries, to: scratch.path("ledger"))
    let result = try verify(scratch.path("ledger"))
    #expect(result.status == 1, "\(kind): \(result.text)")
    if expectedSeq >= 0 {
      #expect(result.seqs.first == expectedSeq, "\(kind): \(result.text)")
    } else {
      #expect(result.codes.contains("checkpoint.ahead"), "\(kind): \(result.text)")
    }
  }

  @Test func aTornLastLineIsAWarningAndTheNextAppendCutsIt() throws {
    let scratch = try fixture.copy()
    let path = scratch.path("ledger") + "/entries.jsonl"
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("{\"envelope\":{\"payload\":\"eyJ".utf8))
    try handle.close()
    let verified = try LoamBinary.run(["verify", "--ledger", scratch.path("ledger")])
    #expect(verified.status == 0, "\(verified)")
    #expect(verified.stdout.contains("log.torn-tail"))
    let appended = try LoamBinary.run([
      "append", "sell", "--ledger", scratch.path("ledger"), "--key", fixture.key("winery-new"), "--log-key", fixture.key("log"),
      "--lot", "MUST-1", "--quantity", "1", "--uom", "LTR",
    ])
    #expect(appended.status == 0, "\(appended)")
    let after = try LoamBinary.run(["verify", "--ledger", scratch.path("ledger")])
    #expect(after.status == 0)
    #expect(!after.stdout.contains("torn"))
  }

  /// Millions of bad lines must not need memory in proportion: the first 1000 findings are
  /// listed, the rest counted.
  @Test func findingsBeyondAThousandAreCountedNotListed() throws {
    let scratch = try fixture.copy()
    let path = scratch.path("ledger") + "/entries.jsonl"
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(String(repeating: "{\"seq\":1}\n", count: 1500).utf8))
    try handle.close()
    let result = try verify(scratch.path("ledger"))
    #expect(result.status == 1)
    #expect(result.codes.count == 1000 && Set(result.codes) == ["entry.malformed"], "\(result.codes.count)")
    #expect(result.seqs.first == SupplyChainFixture.entryCount && result.seqs.last == SupplyChainFixture.entryCount + 999)
    #expect(result.text.contains("verify.findings-unlisted") && result.text.contains("500 more findings"))
    let text = try LoamBinary.run(["verify", "--ledger", scratch.path("ledger")])
    #expect(text.status == 1 && text.stdout.contains("1500 findings"), "\(text.stdout.suffix(400))")
  }

  /// Megabytes without a newline are no torn entry: reading stops at the line limit instead of
  /// buffering them, and an append refuses to cut them off (nothing is lost or changed).
  @Test func anEndlessLastLineIsRefusedNotBufferedOrCut() throws {
    let scratch = try fixture.copy()
    let path = scratch.path("ledger") + "/entries.jsonl"
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(repeating: UInt8(ascii: "A"), count: 3 << 20))
    try handle.close()
    let before = try Data(contentsOf: URL(fileURLWithPath: path))

    let verified = try LoamBinary.run(["verify", "--ledger", scratch.path("ledger")])
    #expect(verified.status != 0, "\(verified)")
    #expect(verified.stderr.contains("without a newline") && verified.stderr.contains("1048576"), "\(verified)")
    let appended = try LoamBinary.run([
      "append", "sell", "--ledger", scratch.path("ledger"), "--key", fixture.key("winery-new"), "--log-key", fixture.key("log"),
      "--lot", "MUST-1", "--quantity", "1", "--uom", "LTR",
    ])
    #expect(appended.status == 2, "\(appended)")
    #expect(appended.stderr.contains("without a newline"), "\(appended)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
  }
}

/// A checkpoint that lags the log is a warning, and the next append re-derives it.
@Suite struct CheckpointLagTests {
  let fixture = SupplyChainFixture.shared

  @Test func aLaggingCheckpointIsReDerived() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let old = try Data(contentsOf: URL(fileURLWithPath: ledger + "/checkpoint"))
    let sold = try LoamBinary.run([
      "append", "sell", "--ledger", ledger, "--key", fixture.key("winery-new"), "--log-key", fixture.key("log"), "--lot",
      "MUST-1",
      "--quantity", "1", "--uom", "LTR",
    ])
    #expect(sold.status == 0)
    // As if the process died between the log's fsync and the checkpoint's replacement.
    try old.write(to: URL(fileURLWithPath: ledger + "/checkpoint"))
    let lagging = try LoamBinary.run(["verify", "--ledger", ledger])
    #expect(lagging.status == 0, "\(lagging)")
    #expect(lagging.stdout.contains("checkpoint.lagging"))
    // An append that logs nothing new (a resubmitted ref) still re-derives the checkpoint.
    let statement =
      #"{"kind":"observe","actor":"lab:soil","time":"2026-10-01T00:00:00Z","lot":"MUST-1","observation":{"ok":true},"ref":"lag-test"}"#
    try Data(statement.utf8).write(to: URL(fileURLWithPath: scratch.path("s.json")))
    for _ in 0..<2 {
      let appended = try LoamBinary.run([
        "append", "--ledger", ledger, "--key", fixture.key("lab"), "--log-key", fixture.key("log"), scratch.path("s.json"),
      ])
      #expect(appended.status == 0, "\(appended)")
      try old.write(to: URL(fileURLWithPath: ledger + "/checkpoint"))
    }
    let again = try LoamBinary.run([
      "append", "--ledger", ledger, "--key", fixture.key("lab"), "--log-key", fixture.key("log"), scratch.path("s.json"),
    ])
    #expect(again.stdout.hasPrefix("already logged"))
    let verified = try LoamBinary.run(["verify", "--ledger", ledger])
    #expect(verified.status == 0)
    #expect(!verified.stdout.contains("lagging"), "\(verified)")
    #expect(verified.stdout.contains("checkpoint    \(SupplyChainFixture.entryCount + 2) entries"))
  }
}
