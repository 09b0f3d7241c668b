import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import Testing

@testable import LoamStore

/// A large batch writes its derived-state rows while its signatures are still being checked
/// (`StateStore.stage`), in a transaction committed only after the log: the rows must come out as a
/// rebuild writes them, and a refused batch must leave every file as it was.
@Suite struct StagedPersistTests {
  /// Every file of the ledger directory, by name.
  func files(_ directory: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
      out[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }
    return out
  }

  func rows(_ path: String) throws -> [String] { try StateStore.rowLines(at: path) }

  /// The demo's statements after its genesis, up to the first that names an entry by id (ids
  /// change with the time logged), re-sequenced as one batch in a ledger holding only that
  /// genesis, with chunks of 16 signatures and rows staged every 8 entries.
  func resequenced(
    _ demo: DemoLedger, extra: [DSSEEnvelope] = [], signatureChunk: Int = 16, change: (inout [DSSEEnvelope]) -> Void = { _ in }
  ) throws -> (
    Ledger, Ledger.AppendOutcome, before: [String: Data]
  ) {
    let source = demo.built.ledger
    let lines = try String(contentsOfFile: source.entriesPath, encoding: .utf8).split(separator: "\n")
    let directory = demo.directory + "/resequenced-\(signatureChunk)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try (lines[0] + "\n").write(toFile: directory + "/entries.jsonl", atomically: true, encoding: .utf8)
    let ledger = try Ledger(directory: directory, tuning: .init(signatureChunk: signatureChunk, stagedRows: 8))
    // The state of the genesis alone, written before the batch.
    _ = try ledger.reindex()
    let before = try files(directory)
    let entries = try lines.dropFirst().map { try Entry(line: Array($0.utf8)) }.prefix { entry in
      let kind = try? Statement(payload: entry.envelope.payload).kind
      return kind != .receive && kind != .correct
    }
    var envelopes = entries.map(\.envelope) + extra
    change(&envelopes)
    let outcome = try ledger.append(
      envelopes, logSigner: try demo.logSigner(), now: entries.last!.logged)
    return (ledger, outcome, before)
  }

  @Test func stagedRowsAreTheRowsARebuildWrites() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let (ledger, outcome, _) = try resequenced(demo)
    guard case .appended(let results) = outcome else {
      Issue.record("the demo's statements were refused: \(outcome)")
      return
    }
    #expect(results.count > 64, "the batch should span several stages, not \(results.count) entries")
    let appended = try rows(ledger.statePath)
    _ = try ledger.reindex()
    let rebuilt = try rows(ledger.statePath)
    #expect(appended.count == rebuilt.count)
    for (left, right) in zip(appended, rebuilt) where left != right {
      Issue.record("staged  \(left)\nrebuilt \(right)")
      break
    }
    #expect(try ledger.currentState().size == UInt64(results.count + 1))
  }

  @Test func aRefusedBatchRollsItsStagedRowsBack() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    // The last statement again with another's signature: refused only at the very end.
    let source = demo.built.ledger
    let last = try #require(try source.readEntry(seq: source.currentState().size - 1)).envelope
    let first = try #require(try source.readEntry(seq: 1)).envelope
    var forged = last
    forged.signatures = first.signatures
    let (ledger, outcome, before) = try resequenced(demo, extra: [forged])
    guard case .refused(let findings) = outcome else {
      Issue.record("a forged signature was accepted")
      return
    }
    #expect(findings.map(\.code) == ["sig.invalid"], "\(findings)")
    #expect(try files(ledger.directory) == before)
    #expect(try ledger.currentState().size == 1)
  }

  /// However the signatures are claimed (one at a time, in odd chunks, all in one), a bad one in
  /// the middle of a batch is found at its own seq, and only there.
  @Test func aBadSignatureIsFoundAtItsSeqWhateverTheChunk() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    var reports: [[String]] = []
    for chunk in [1, 5, 16, 10_000] {
      let (ledger, outcome, before) = try resequenced(demo, signatureChunk: chunk) { envelopes in
        // Entry 41's signature on entry 40's statement, and a signature by no known key on 70.
        envelopes[39].signatures = envelopes[40].signatures
        envelopes[69].signatures[0].keyID = "ed25519:" + String(repeating: "0", count: 64)
      }
      guard case .refused(let findings) = outcome else {
        Issue.record("chunk \(chunk): a batch with bad signatures was accepted")
        continue
      }
      #expect(findings.contains { $0.seq == 40 && $0.code == "sig.invalid" }, "chunk \(chunk): \(findings)")
      #expect(findings.allSatisfy { $0.seq == 40 || $0.seq == 70 }, "chunk \(chunk): \(findings)")
      #expect(findings.contains { $0.seq == 70 }, "chunk \(chunk): \(findings)")
      #expect(try files(ledger.directory) == before)
      reports.append(findings.map { "\(String(describing: $0.seq)) \($0.code)" })
    }
    #expect(Set(reports).count == 1, "\(reports)")
  }
}
