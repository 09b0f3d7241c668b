import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import LoamStore
import Testing

/// A batch is checked and written whole, so it is bounded (Ledger/FORMAT.md, Limits).
@Suite struct BatchLimitTests {
  @Test func aBatchOverTheLimitIsRefusedBeforeAnyWork() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let built = demo.built
    let ledger = built.ledger
    let signer = try demo.logSigner()
    let envelope = try #require(try ledger.readEntry(seq: 1)).envelope
    let before = try Data(contentsOf: URL(fileURLWithPath: ledger.entriesPath))
    #expect {
      _ = try ledger.append(
        Array(repeating: envelope, count: Ledger.maximumBatch + 1), logSigner: signer, now: Timestamp(seconds: 1_800_000_000))
    } throws: { error in
      "\(error)".contains("at most \(Ledger.maximumBatch) statements")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.entriesPath)) == before)
  }
}
