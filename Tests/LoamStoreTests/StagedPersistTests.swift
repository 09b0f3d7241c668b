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
  func resequenced(_ demo: DemoLedger, extra: [DSSEEnvelope] = []) throws -> (
    Ledger, Ledger.AppendOutcome, before: [String: Data]
  ) {
    let source = demo.built.ledger
    let lines = try String(contentsOfFile: source.entriesPath, encoding: .utf8).split(separator: "\n")
    let directory = demo.directory + "/resequenced"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try (lines[0] + "\n").write(toFile: directory + "/entries.jsonl", atomically: true, encoding: .utf8)
    let ledger = try Ledger(directory: directory, tuning: .init(signatureChunk: 16, stagedRows: 8))
    // The state of the genesis alone, written before the batch.
    _ = try ledger.reindex()
    let before = try files(directory)
    let entries = try lines.dropFirst().map { try Entry(line: Array($0.utf8)) }.prefix { entry in
      let kind = try? Statement(payload: entry.envelope.payload).kind
      return kind != .receive && kind != .correct
    }
    let outcome = try ledger.append(
      entries.map(\.envelope) + extra, logSigner: try demo.logSigner(), now: entries.last!.logged)
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
}
