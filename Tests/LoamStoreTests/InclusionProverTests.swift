import Foundation
import LoamCore
import LoamCrypto
import LoamDemo
import LoamStore
import Testing

/// Inclusion proofs from the stored tree nodes and, when the index lacks them, from one pass over
/// the log: the same proofs, and each verifies against the checkpoint.
@Suite struct InclusionProverTests {
  @Test func storedNodesAndTheLogGiveTheSameProofs() throws {
    let demo = try DemoLedger()
    defer { demo.remove() }
    let ledger = demo.built.ledger
    let note = try Note(parsing: try #require(try ledger.checkpointBytes()))
    let checkpoint = try Checkpoint(text: note.text)
    let state = try ledger.currentState()
    #expect(state.trace != nil)
    var withoutIndex = state
    withoutIndex.trace = nil
    let stored = try ledger.inclusionProver(size: checkpoint.size, root: checkpoint.rootHash, state: state)
    let scanned = try ledger.inclusionProver(size: checkpoint.size, root: checkpoint.rootHash, state: withoutIndex)
    let leaves = try ledger.leafHashes(count: checkpoint.size)
    for seq in 0..<checkpoint.size {
      let proof = try scanned(seq)
      #expect(try stored(seq) == proof, "entry \(seq)")
      try MerkleProof.verifyInclusion(
        leaf: leaves[Int(seq)], index: seq, size: checkpoint.size, proof: proof, root: checkpoint.rootHash)
    }
  }
}
