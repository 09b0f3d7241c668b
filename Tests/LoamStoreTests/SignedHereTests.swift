import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import LoamStore
import Testing

/// A `signedHere` append takes each given statement as its payload's parse; the payload's size
/// limit still holds, and a `verify` append parses the payload whatever statement comes with it.
@Suite struct SignedHereTests {
  let now = Timestamp(seconds: 1_800_000_000)

  func observation(_ demo: DemoLedger, lot: String, note: String) throws -> (DSSEEnvelope, Statement) {
    let statement = try Statement(
      json: .object([
        "kind": "observe", "actor": "lab:agrosol", "time": "2026-10-01T00:00:00Z", "lot": .string(lot),
        "observation": .object(["note": .string(note)]),
      ]))
    let key = try KeyFile.readPrivateKey(demo.built.keysDirectory + "/lab-agrosol.pem")
    return (try DSSEEnvelope(payload: try statement.canonicalPayload(), signedBy: [key]), statement)
  }

  /// Appends `submission` as the one run a `next` gives.
  func append(_ submission: Ledger.Submission, to demo: DemoLedger, _ check: Ledger.SignatureCheck) throws
    -> Ledger.AppendOutcome
  {
    var asked = false
    return try demo.built.ledger.append(
      [], logSigner: try demo.logSigner(), now: now, signatures: check,
      next: { _ in
        defer { asked = true }
        return asked ? nil : [submission]
      })
  }

  @Test func aGivenStatementIsTakenAsTheParse() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let (envelope, _) = try observation(demo, lot: demo.built.bottleLot, note: "sediment")
    // A statement of another lot, given with the envelope: `signedHere` takes it, so the rules
    // check that lot (which does not exist) instead of the payload's.
    let (_, other) = try observation(demo, lot: "NO-SUCH-LOT", note: "sediment")
    let refused = try append(Ledger.Submission(envelope, statement: other), to: demo, .signedHere)
    guard case .refused(let findings) = refused else {
      Issue.record("a statement of an unknown lot was accepted")
      return
    }
    #expect(findings.map(\.code) == ["state.unknown-lot"])
    // With `verify`, the payload is parsed and the statement given is not used.
    let verified = try append(Ledger.Submission(envelope, statement: other), to: demo, .verify)
    guard case .appended(let results) = verified else {
      Issue.record("the payload's own statement was refused: \(verified)")
      return
    }
    #expect(results.map(\.duplicate) == [false])
    #expect(results.first?.entry.envelope.payload == envelope.payload)
  }

  @Test func thePayloadSizeLimitHoldsForAGivenStatement() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let ledger = demo.built.ledger
    let (envelope, statement) = try observation(
      demo, lot: demo.built.bottleLot, note: String(repeating: "x", count: Statement.maximumPayloadSize))
    let before = try Data(contentsOf: URL(fileURLWithPath: ledger.entriesPath))
    let outcome = try append(Ledger.Submission(envelope, statement: statement), to: demo, .signedHere)
    guard case .refused(let findings) = outcome else {
      Issue.record("a payload over \(Statement.maximumPayloadSize) bytes was accepted")
      return
    }
    #expect(findings.map(\.code) == ["statement.too-large"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.entriesPath)) == before)
  }
}
