import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import LoamStore
import LoamVerify
import Testing

/// `Ledger.verify` keeps entries compactly and reads a corrected entry back from the log
/// (`EntryTable`); the writer's persisted records leave the effect out and read it back too. Both
/// undo the sale exactly.
@Suite struct VerifyCorrectionTests {
  @Test func verifyUndoesACorrectedSaleLikeTheWriter() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let built = demo.built
    let ledger = built.ledger
    let signer = try demo.logSigner()
    // The last sale of the demo, and its seller's stock before the correction.
    let before = try ledger.currentState()
    var found: (Entry, Statement, Sale)? = nil
    var seq = before.size
    while found == nil, seq > 0 {
      seq -= 1
      let entry = try #require(try ledger.readEntry(seq: seq))
      let statement = try Statement(payload: entry.envelope.payload)
      if case .sell(let sale) = statement.body { found = (entry, statement, sale) }
    }
    let (sale, statement, record) = try #require(found)
    let held = before.holding(of: record.lot, by: statement.actor)
    let key = try KeyFile.readPrivateKey(
      built.keysDirectory + "/" + statement.actor.replacingOccurrences(of: ":", with: "-") + ".pem")
    let correction: JSONValue = [
      "kind": "correct", "actor": .string(statement.actor), "time": .string(Timestamp(seconds: 1_800_000_000).description),
      "entry": .string(sale.id.hex), "reason": "sold twice by mistake",
    ]
    let envelope = try DSSEEnvelope(payload: try JCS.canonicalize(correction), signedBy: [key])
    _ = try ledger.append([envelope], logSigner: signer, now: Timestamp(seconds: 1_800_000_000))

    let written = try ledger.currentState()
    let restored = try #require(held.adding(record.quantity.converted(to: before.lots[record.lot]!.unit)!))
    #expect(written.holding(of: record.lot, by: statement.actor) == restored)
    let verification = try ledger.verify(options: LogVerifier.Options())
    #expect(verification.isValid, "\(verification.findings)")
    #expect(verification.state.size == written.size)
    #expect(verification.state.holding(of: record.lot, by: statement.actor) == restored)
    #expect(verification.state.lots[record.lot]?.holdings == written.lots[record.lot]?.holdings)
  }
}
