import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import LoamStore
import LoamVerify
import Testing

/// `LogVerifier` checks a batch's signatures with the keys named before it, and the few by a key
/// the batch names itself once the batch is parsed; it applies each batch while the next is
/// prepared. However the log is cut into batches, and on one thread or two, the findings and the
/// state must be the same.
@Suite struct VerifyBatchingTests {
  struct Outcome: Equatable {
    var findings: [String]
    var size: UInt64
    var root: SHA256Digest
  }

  static func verify(_ lines: [ArraySlice<UInt8>], batch: Int, threads: Int) throws -> Outcome {
    var verifier = LogVerifier(options: LogVerifier.Options(threads: threads))
    var offset = 0
    var batches = 0
    var progress: [UInt64] = []
    try verifier.verify(
      reading: {
        let end = min(lines.count, offset + batch)
        defer { offset = end }
        if offset < end { batches += 1 }
        return Array(lines[offset..<end])
      }, progress: { progress.append($0) })
    verifier.finish(checkpoint: nil)
    // Progress once per batch, counting up to the log's size.
    #expect(progress.count == batches)
    #expect(progress == progress.sorted() && progress.last == UInt64(lines.count))
    return Outcome(
      findings: verifier.findings.map { "\($0.seq.map(String.init) ?? "-") \($0.code)" }, size: verifier.entryCount,
      root: verifier.state.tree.root)
  }

  @Test func everyBatchingFindsTheSame() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let data = try #require(FileManager.default.contents(atPath: demo.built.ledger.entriesPath))
    var lines = [UInt8](data).split(separator: 0x0A).map { ArraySlice(Array($0)) }
    #expect(lines.count > 100)
    // Entry 40 carries entry 60's signature; entry 80 is not JSON.
    func signature(_ line: ArraySlice<UInt8>) throws -> String {
      let text = String(decoding: line, as: UTF8.self)
      let range = try #require(text.range(of: #""sig":"[^"]+""#, options: .regularExpression))
      return String(text[range])
    }
    let forged = String(decoding: lines[40], as: UTF8.self).replacingOccurrences(
      of: try signature(lines[40]), with: try signature(lines[60]))
    lines[40] = ArraySlice(Array(forged.utf8))
    lines[80] = ArraySlice(Array("{not json".utf8))

    let whole = try Self.verify(lines, batch: lines.count, threads: 2)
    #expect(whole.size == UInt64(lines.count))
    #expect(whole.findings.first == "40 sig.invalid", "\(whole.findings)")
    #expect(whole.findings.contains("80 entry.malformed"), "\(whole.findings)")
    for (batch, threads) in [(1, 2), (2, 1), (3, 2), (7, 2), (64, 1), (64, 3)] {
      #expect(try Self.verify(lines, batch: batch, threads: threads) == whole, "batches of \(batch) on \(threads) threads")
    }
  }
}
