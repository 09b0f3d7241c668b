import Foundation
import LoamCore
import LoamDemo
import Testing

@testable import LoamStore

/// `ParsedBatches` reads and parses the log ahead on another thread: every line comes back once, in
/// order and parsed, across many batches; a caller that stops early (an error in its body) leaves
/// no thread waiting, and the batches read ahead are freed.
@Suite struct ParsedBatchesTests {
  /// The demo's log repeated until it spans several batches of 4096 (each line parses alone),
  /// written once for the suite, and the seq of each of its lines.
  struct LongLog: @unchecked Sendable {
    // @unchecked: written once, then only read.
    let demo: DemoLedger
    let ledger: Ledger
    let seqs: [UInt64]

    init() throws {
      demo = try DemoLedger()
      longLogDirectory = demo.directory
      atexit { if let path = longLogDirectory { try? FileManager.default.removeItem(atPath: path) } }
      let source = try Data(contentsOf: URL(fileURLWithPath: demo.built.ledger.entriesPath))
      let lineSeqs = try source.split(separator: 0x0A).map { try Entry(line: [UInt8]($0)).seq }
      let copies = 4096 * 3 / lineSeqs.count + 1
      let directory = demo.directory + "/long"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try Data(repeatElement(source, count: copies).joined()).write(to: URL(fileURLWithPath: directory + "/entries.jsonl"))
      ledger = try Ledger(directory: directory)
      seqs = Array(repeatElement(lineSeqs, count: copies).joined())
    }

    static let shared = Result { try LongLog() }
  }

  @Test func everyLineComesBackInOrderParsed() throws {
    let log = try LongLog.shared.get()
    let ledger = log.ledger
    let expected = log.seqs
    var seqs: [UInt64] = []
    var batches = 0
    try ledger.forEachParsedBatch(from: 0) { lines, parsed in
      #expect(lines.count == parsed.count)
      batches += 1
      for item in parsed {
        guard let (entry, statement) = item else {
          Issue.record("a line of the demo did not parse")
          continue
        }
        #expect((try? statement.get()) != nil)
        seqs.append(entry.seq)
      }
    }
    #expect(batches >= 4)
    #expect(seqs == expected)
  }

  @Test func aBodyThatThrowsStopsTheReader() throws {
    let ledger = try LongLog.shared.get().ledger
    struct Stop: Error {}
    var calls = 0
    #expect(throws: Stop.self) {
      try ledger.forEachParsedBatch(from: 0) { _, _ in
        calls += 1
        // By now the reader has read ahead as far as it may, and waits for room.
        Thread.sleep(forTimeInterval: 0.05)
        throw Stop()
      }
    }
    #expect(calls == 1)
  }

  /// Stopped with batches read and not taken, the reader thread exits (it holds the batches while
  /// it runs) and the batches go.
  @Test func stoppingEarlyEndsTheReaderThread() throws {
    let ledger = try LongLog.shared.get().ledger
    weak var gone: ParsedBatches?
    weak var batch: ParsedBatch?
    do {
      let batches = ParsedBatches(try LogReader(path: ledger.entriesPath), depth: 2)
      gone = batches
      let first = try batches.next()
      batch = first
      #expect(!first.lines.isEmpty)
      Thread.sleep(forTimeInterval: 0.05)
      batches.handBack(first)
      batches.stop()
    }
    // The batches left are freed on another thread: wait for it a little.
    for _ in 0..<100 where gone != nil || batch != nil { Thread.sleep(forTimeInterval: 0.01) }
    #expect(gone == nil)
    #expect(batch == nil)
  }
}

/// The suite's long log, removed at exit (no deinit reaches a shared fixture).
nonisolated(unsafe) private var longLogDirectory: String?
