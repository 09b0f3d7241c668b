import Foundation
import Testing

/// `loam verify --since CHECKPOINT`: consistency with a checkpoint verified before, signatures
/// checked only after it.
@Suite struct VerifySinceTests {
  static let bottles = "https://id.gs1.org/01/09506000134352/10/TV26A"

  @Test func aGrowingLedgerVerifiesSinceASavedCheckpoint() throws {
    let scratch = try Scratch()
    #expect(try LoamBinary.run(["demo", "--dir", scratch.path("d")]).status == 0)
    let ledger = scratch.path("d/ledger")
    try FileManager.default.copyItem(atPath: ledger + "/checkpoint", toPath: scratch.path("saved"))
    let sold = try LoamBinary.run([
      "append", "sell", "--ledger", ledger, "--log-key", scratch.path("d/keys/log.pem"), "--key",
      scratch.path("d/keys/retailer-cave-paris.pem"), "--lot", Self.bottles, "--quantity", "1", "--uom", "H87",
    ])
    #expect(sold.status == 0, "\(sold)")
    let verified = try LoamBinary.run(["verify", "--ledger", ledger, "--since", scratch.path("saved")])
    #expect(verified.status == 0, "\(verified)")
    #expect(verified.stdout.contains("since         checkpoint of 132 entries"), "\(verified)")
    #expect(verified.stdout.contains("entries 132–132 verified; earlier entries' rules replayed"), "\(verified)")

    // An old entry's signature changed: not re-verified, but the prefix no longer has the trusted root.
    let tampered = scratch.path("tampered")
    try FileManager.default.copyItem(atPath: ledger, toPath: tampered)
    var lines = try String(contentsOfFile: tampered + "/entries.jsonl", encoding: .utf8).components(separatedBy: "\n")
    let signature = try #require(lines[5].range(of: "\"sig\":\""))
    let at = lines[5].index(signature.upperBound, offsetBy: 3)
    lines[5].replaceSubrange(at...at, with: lines[5][at] == "A" ? "B" : "A")
    try lines.joined(separator: "\n").write(toFile: tampered + "/entries.jsonl", atomically: true, encoding: .utf8)
    let rewritten = try LoamBinary.run(["verify", "--ledger", tampered, "--since", scratch.path("saved")])
    #expect(rewritten.status == 1)
    #expect(rewritten.stdout.contains("entry 131: since.inconsistent"), "\(rewritten)")

    // Rolled back below the trusted checkpoint.
    let truncated = scratch.path("truncated")
    try FileManager.default.copyItem(atPath: ledger, toPath: truncated)
    try (lines[..<100].joined(separator: "\n") + "\n").write(
      toFile: truncated + "/entries.jsonl", atomically: true, encoding: .utf8)
    let rolledBack = try LoamBinary.run(["verify", "--ledger", truncated, "--since", scratch.path("saved")])
    #expect(rolledBack.status == 1)
    #expect(rolledBack.stdout.contains("since.rolled-back"), "\(rolledBack)")
  }

  /// An auditor's mirror: its derived state sits at the checkpoint it verified, so `--since` reads
  /// only the new entries and moves the derived state on; a changed new entry is still found.
  @Test func aMirrorResumesFromItsDerivedState() throws {
    let scratch = try Scratch()
    #expect(try LoamBinary.run(["demo", "--dir", scratch.path("d")]).status == 0)
    let ledger = scratch.path("d/ledger")
    let mirror = scratch.path("mirror")
    try FileManager.default.copyItem(atPath: ledger, toPath: mirror)
    try FileManager.default.copyItem(atPath: ledger + "/checkpoint", toPath: scratch.path("saved"))
    for _ in 0..<3 {
      let sold = try LoamBinary.run([
        "append", "sell", "--ledger", ledger, "--log-key", scratch.path("d/keys/log.pem"), "--key",
        scratch.path("d/keys/retailer-cave-paris.pem"), "--lot", Self.bottles, "--quantity", "1", "--uom", "H87",
      ])
      #expect(sold.status == 0)
    }
    func sync() throws {
      for file in ["entries.jsonl", "checkpoint"] {
        try? FileManager.default.removeItem(atPath: mirror + "/" + file)
        try FileManager.default.copyItem(atPath: ledger + "/" + file, toPath: mirror + "/" + file)
      }
    }
    try sync()
    let tampered = scratch.path("tampered")
    try FileManager.default.copyItem(atPath: mirror, toPath: tampered)
    var lines = try String(contentsOfFile: tampered + "/entries.jsonl", encoding: .utf8).components(separatedBy: "\n")
    lines[133] = lines[133].replacingOccurrences(of: "\"seq\":133", with: "\"seq\":134")
    try lines.joined(separator: "\n").write(toFile: tampered + "/entries.jsonl", atomically: true, encoding: .utf8)
    let caught = try LoamBinary.run(["verify", "--ledger", tampered, "--since", scratch.path("saved")])
    #expect(caught.status == 1, "\(caught)")
    #expect(caught.stdout.contains("resumed from the derived state"), "\(caught)")

    let first = try LoamBinary.run(["verify", "--ledger", mirror, "--since", scratch.path("saved")])
    #expect(first.status == 0, "\(first)")
    #expect(first.stdout.contains("entries 132–134 verified, resumed from the derived state"), "\(first)")
    // The derived state moved on with it: the next audit resumes from the checkpoint just verified.
    try FileManager.default.copyItem(atPath: mirror + "/checkpoint", toPath: scratch.path("saved2"))
    let next = try LoamBinary.run(["verify", "--ledger", mirror, "--since", scratch.path("saved2"), "--json"])
    let report = try #require(try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as? [String: Any])
    #expect((report["since"] as? [String: Any])?["resumed"] as? Bool == true, "\(next)")
    #expect(try LoamBinary.run(["verify", "--ledger", mirror, "--strict"]).status == 0)
    // The trace index moved on too: the mirror traces the new sales as the ledger does.
    let original = try LoamBinary.run(["trace", "--ledger", ledger, "--forward", Self.bottles, "--json"])
    let mirrored = try LoamBinary.run(["trace", "--ledger", mirror, "--forward", Self.bottles, "--json"])
    #expect(original.status == 0 && mirrored.stdout == original.stdout)
    #expect(original.stdout.contains("\"seq\":134"), "\(original)")
  }

  @Test func aCheckpointOfAnotherLogOrKeyIsRefused() throws {
    let scratch = try Scratch()
    #expect(try LoamBinary.run(["demo", "--dir", scratch.path("a")]).status == 0)
    #expect(try LoamBinary.run(["demo", "--dir", scratch.path("b")]).status == 0)
    // Same origin, another log key.
    let other = try LoamBinary.run([
      "verify", "--ledger", scratch.path("a/ledger"), "--since", scratch.path("b/ledger/checkpoint"),
    ])
    #expect(other.status == 2)
    #expect(other.stderr.contains("is not signed by this ledger's log key"), "\(other)")
    try scratch.write("not-a-checkpoint", Data("hello\n".utf8))
    let junk = try LoamBinary.run(["verify", "--ledger", scratch.path("a/ledger"), "--since", scratch.path("not-a-checkpoint")])
    #expect(junk.status == 2)
    #expect(junk.stderr.contains("is not a signed checkpoint"), "\(junk)")
  }
}
