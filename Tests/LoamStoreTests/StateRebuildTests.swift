import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import Testing

@testable import LoamStore

/// The derived state written whole by a rebuild holds exactly the rows that the demo's appends
/// wrote batch by batch, and the rebuild replaces a state whose write-ahead log is left over.
@Suite struct StateRebuildTests {
  func rows(_ path: String) throws -> [String] { try StateStore.rowLines(at: path) }

  @Test func aRebuildWritesTheRowsTheAppendsWrote() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let ledger = demo.built.ledger
    let appended = try rows(ledger.statePath)
    #expect(appended.count > 300, "the demo's state should have hundreds of rows, not \(appended.count)")
    let size = try ledger.reindex()
    #expect(try size == ledger.currentState().size)
    let rebuilt = try rows(ledger.statePath)
    #expect(rebuilt.count == appended.count)
    for (left, right) in zip(appended, rebuilt) where left != right {
      Issue.record("appended \(left)\nrebuilt  \(right)")
      break
    }
    #expect(!FileManager.default.fileExists(atPath: ledger.statePath + ".rebuild"))
  }

  /// A replay reads batches ahead on another thread: every line of a log of many batches is
  /// applied in order, and a read that fails in a later batch fails the replay.
  @Test func aReplayReadsEveryBatchAndReportsALateReadError() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let source = try Data(contentsOf: URL(fileURLWithPath: demo.built.ledger.entriesPath))
    let demoLines = source.filter { $0 == 0x0A }.count
    func replayed(_ tail: Data) throws -> LedgerState {
      let directory = demo.directory + "/long-\(tail.count)"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try (source + tail).write(to: URL(fileURLWithPath: directory + "/entries.jsonl"))
      var state = LedgerState()
      try Ledger(directory: directory).replay(into: &state, from: 0)
      return state
    }
    // Unreadable lines still take their place in the chain (three batches of 4096 and more).
    let junk = Data(repeating: UInt8(ascii: "x"), count: 1) + Data([0x0A])
    let many = Data((0..<10_000).map { _ in junk }.joined())
    #expect(try replayed(many).size == UInt64(demoLines + 10_000))
    let endless = Data(repeating: UInt8(ascii: "A"), count: 2 << 20) + Data([0x0A])
    #expect {
      _ = try replayed(many + endless + junk)
    } throws: { error in
      "\(error)".contains("without a newline")
    }
  }

  @Test func aRebuildIsNotPairedWithAnOldWriteAheadLog() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let ledger = demo.built.ledger
    let expected = try rows(ledger.statePath)
    var state = LedgerState()
    state.trace = TraceIndex()
    let headOffset = try #require(try ledger.replay(into: &state, from: 0))
    // A write-ahead log holding a row the log does not imply, left behind as by a crash.
    let kept = ledger.directory + "/kept-wal"
    do {
      let stray = try StateStore(path: ledger.statePath)
      try stray.execute("PRAGMA wal_autocheckpoint=0")
      try stray.execute("INSERT INTO rows (tbl, key, value) VALUES (99, x'00', x'00')")
      try FileManager.default.copyItem(atPath: ledger.statePath + "-wal", toPath: kept)
    }
    try? FileManager.default.removeItem(atPath: ledger.statePath + "-wal")
    try FileManager.default.copyItem(atPath: kept, toPath: ledger.statePath + "-wal")
    let logBytes = try #require(try FileManager.default.attributesOfItem(atPath: ledger.entriesPath)[.size] as? Int)
    _ = try StateStore.rebuild(
      path: ledger.statePath, directory: ledger.directory, from: state, headOffset: headOffset, logBytes: logBytes)
    #expect(try rows(ledger.statePath) == expected)
  }

  /// A reader that still has the old state open when a rebuild renames the new one in must not,
  /// on closing, take the new file's write-ahead log with it (SQLite leaves a WAL alone when its
  /// database file has moved; this holds Loam to that).
  @Test func anOldReaderClosingAfterARebuildLeavesTheNewLogAlone() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let ledger = demo.built.ledger
    var reader: StateStore? = try StateStore(path: ledger.statePath)
    try reader!.forEachRow { _, _, _ in }
    _ = try ledger.reindex()
    let writer = try StateStore(path: ledger.statePath)
    try writer.execute("PRAGMA wal_autocheckpoint=0")
    try writer.execute("INSERT INTO rows (tbl, key, value) VALUES (99, x'01', x'02')")
    reader = nil
    #expect(FileManager.default.fileExists(atPath: ledger.statePath + "-wal"))
    let rows = try rows(ledger.statePath)
    #expect(rows.contains("99 1 \u{2}"), "the row committed to the new state's write-ahead log was lost")
    _ = reader
  }
}
