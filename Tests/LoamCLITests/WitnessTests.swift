import Foundation
import Testing

/// A witness cosigns honest successors, refuses rollbacks and forks (exit 1) and rewritten
/// histories (exit 3); `verify --witness --quorum` counts valid cosignatures.
@Suite struct WitnessTests {
  let fixture = SupplyChainFixture.shared
  let origin = "example.org/loam/coop-2026"

  func vkey(_ key: String, name: String, cosignature: Bool = false) throws -> String {
    let result = try LoamBinary.run(["key", "show", key, "--name", name, "--json"] + (cosignature ? ["--cosignature"] : []))
    return try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["vkey"] as? String)
  }

  func cosign(_ ledger: String, _ scratch: Scratch) throws -> LoamBinary.Result {
    try LoamBinary.run([
      "witness", "cosign", "--ledger", ledger, "--witness-key", scratch.path("witness.pem"), "--name",
      "witness.example.org/certifier",
      "--log-vkey", try vkey(fixture.key("log"), name: origin), "--state", scratch.path("witness-state.json"),
    ])
  }

  func sell(_ ledger: String, _ litres: String) throws {
    let result = try LoamBinary.run([
      "append", "sell", "--ledger", ledger, "--key", fixture.key("winery-new"), "--log-key", fixture.key("log"), "--lot",
      "MUST-1",
      "--quantity", litres, "--uom", "LTR",
    ])
    #expect(result.status == 0, "\(result)")
  }

  /// A witness away from the ledger: the checkpoint and the consistency proof come as files, the
  /// cosignature goes back as a line that the operator adds to the checkpoint.
  @Test func cosignsFromFilesAndTheOperatorAddsTheCosignature() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    #expect(try LoamBinary.run(["key", "new", "--out", scratch.path("witness.pem")]).status == 0)
    let witness = try vkey(scratch.path("witness.pem"), name: "witness.example.org/certifier", cosignature: true)
    func cosign(_ checkpoint: String, proof: String? = nil) throws -> LoamBinary.Result {
      try LoamBinary.run(
        [
          "witness", "cosign", "--checkpoint", checkpoint, "--witness-key", scratch.path("witness.pem"), "--name",
          "witness.example.org/certifier", "--log-vkey", try vkey(fixture.key("log"), name: origin), "--state",
          scratch.path("remote-state.json"),
        ] + (proof.map { ["--proof", $0] } ?? []))
    }
    func add(_ file: String) throws -> LoamBinary.Result {
      try LoamBinary.run(["checkpoint", "--ledger", ledger, "--add-cosignature", file, "--witness", witness])
    }
    let size1 = try lines(of: ledger).count
    try FileManager.default.copyItem(atPath: ledger + "/checkpoint", toPath: scratch.path("cp1"))
    let first = try cosign(scratch.path("cp1"))
    #expect(first.status == 0, "\(first)")
    try scratch.write("cos1", Data(first.stdout.utf8))
    #expect(try add(scratch.path("cos1")).status == 0)
    #expect(try LoamBinary.run(["verify", "--ledger", ledger, "--witness", witness, "--quorum", "1"]).status == 0)

    try sell(ledger, "1")
    let size2 = try lines(of: ledger).count
    try FileManager.default.copyItem(atPath: ledger + "/checkpoint", toPath: scratch.path("cp2"))
    // A successor needs the proof from what the witness saw, and the right one.
    let noProof = try cosign(scratch.path("cp2"))
    #expect(noProof.status == 2 && noProof.stderr.contains("give --proof"), "\(noProof)")
    let wrong = try LoamBinary.run(["proof", "consistency", "--ledger", ledger, "1", String(size2)])
    try scratch.write("wrong.json", Data(wrong.stdout.utf8))
    let wrongSizes = try cosign(scratch.path("cp2"), proof: scratch.path("wrong.json"))
    #expect(wrongSizes.status == 2 && wrongSizes.stderr.contains("proves 1 → \(size2)"), "\(wrongSizes)")
    let proof = try LoamBinary.run(["proof", "consistency", "--ledger", ledger, String(size1), String(size2)])
    try scratch.write("proof.json", Data(proof.stdout.utf8))
    let second = try cosign(scratch.path("cp2"), proof: scratch.path("proof.json"))
    #expect(second.status == 0, "\(second)")
    // The old cosignature does not fit the new checkpoint; the new one does.
    #expect(try add(scratch.path("cos1")).status == 2)
    try scratch.write("cos2", Data(second.stdout.utf8))
    #expect(try add(scratch.path("cos2")).status == 0)
    #expect(try LoamBinary.run(["verify", "--ledger", ledger, "--witness", witness, "--quorum", "1"]).status == 0)
    // Shown the older checkpoint again: a rollback.
    let rollback = try cosign(scratch.path("cp1"))
    #expect(rollback.status == 1 && rollback.stderr.contains("rollback"), "\(rollback)")
  }

  @Test func cosignsHonestSuccessorsAndMeetsAQuorum() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    #expect(try LoamBinary.run(["key", "new", "--out", scratch.path("witness.pem")]).status == 0)
    let witness = try vkey(scratch.path("witness.pem"), name: "witness.example.org/certifier", cosignature: true)
    let without = try LoamBinary.run(["verify", "--ledger", ledger, "--witness", witness, "--quorum", "1"])
    #expect(without.status == 1)
    #expect(without.stdout.contains("checkpoint.quorum"))

    let first = try cosign(ledger, scratch)
    #expect(first.status == 0, "\(first)")
    #expect(first.stdout.hasPrefix("\u{2014} witness.example.org/certifier "))
    #expect(try LoamBinary.run(["verify", "--ledger", ledger, "--witness", witness, "--quorum", "1"]).status == 0)

    try sell(ledger, "1")
    let successor = try cosign(ledger, scratch)
    #expect(successor.status == 0, "\(successor)")
    #expect(try LoamBinary.run(["verify", "--ledger", ledger, "--witness", witness, "--quorum", "1"]).status == 0)

    // A forged cosignature is a finding, not a vote.
    let path = ledger + "/checkpoint"
    var note = try String(contentsOfFile: path, encoding: .utf8)
    let line = try #require(note.split(separator: "\n").last { $0.contains("witness.example.org") })
    var signature = String(line.split(separator: " ").last!)
    let index = signature.index(signature.startIndex, offsetBy: 20)
    signature.replaceSubrange(index...index, with: signature[index] == "A" ? "B" : "A")
    note = note.replacingOccurrences(of: String(line), with: "\u{2014} witness.example.org/certifier " + signature)
    try note.write(toFile: path, atomically: true, encoding: .utf8)
    let forged = try LoamBinary.run(["verify", "--ledger", ledger, "--witness", witness, "--quorum", "1"])
    #expect(forged.status == 1)
    #expect(forged.stdout.contains("checkpoint.cosignature-invalid"))
  }

  @Test func refusesRollbackForkAndRewrittenHistory() throws {
    let scratch = try fixture.copy()
    #expect(try LoamBinary.run(["key", "new", "--out", scratch.path("witness.pem")]).status == 0)
    let honest = scratch.path("ledger")
    let forked = scratch.path("forked")
    try FileManager.default.copyItem(atPath: honest, toPath: forked)
    #expect(try cosign(honest, scratch).status == 0)
    try sell(honest, "1")
    try sell(forked, "2")
    #expect(try cosign(honest, scratch).status == 0)

    // The original ledger, one entry shorter: a rollback.
    let older = scratch.path("older")
    try FileManager.default.copyItem(atPath: fixture.ledger, toPath: older)
    let rollback = try cosign(older, scratch)
    #expect(rollback.status == 1, "\(rollback)")
    #expect(rollback.stderr.contains("rollback"))

    // Another tree of the same size: a fork.
    let fork = try cosign(forked, scratch)
    #expect(fork.status == 1, "\(fork)")
    #expect(fork.stderr.contains("fork"))

    // The forked history grown past the cosigned size: its consistency proof fails.
    try sell(forked, "3")
    let rewritten = try cosign(forked, scratch)
    #expect(rewritten.status == 3, "\(rewritten)")
    #expect(rewritten.stderr.contains("rewritten"))

    // The honest log still moves on.
    try sell(honest, "4")
    #expect(try cosign(honest, scratch).status == 0)
  }
}
