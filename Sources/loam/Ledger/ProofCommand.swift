import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore
import LoamVerify

struct ProofCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proof",
    abstract: "RFC 9162 proofs: that an entry is in the log, or that an older tree is a prefix of a newer one.",
    subcommands: [ProofInclusion.self, ProofConsistency.self]
  )
}

struct ProofInclusion: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inclusion",
    abstract: "Prove that entry SEQ is in the log.",
    discussion:
      "Without --size: a C2SP tlog-proof (c2sp.org/tlog-proof@v1) against the ledger's signed checkpoint, verifiable offline with the log's public key. With --size N: the audit path and root for the tree of the first N entries (as JSON)."
  )

  @OptionGroup var ledger: LedgerOption
  @Argument(help: "The entry's seq.") var seq: UInt64
  @Option(help: "A tree size other than the checkpoint's.") var size: UInt64?

  func run() throws {
    let ledger = try ledger.open()
    let checkpointBytes = try ledger.checkpointBytes()
    let checkpoint = try checkpointBytes.map { try Checkpoint(text: try Note(parsing: $0).text) }
    guard let treeSize = size ?? checkpoint?.size else { throw CLIError("\(ledger.directory) has no checkpoint; give --size") }
    guard seq < treeSize else { throw CLIError("entry \(seq) is not in a tree of \(treeSize) entries") }
    if size != nil && size != checkpoint?.size {
      let leaves = try ledger.leafHashes(count: treeSize)
      guard UInt64(leaves.count) == treeSize else {
        throw CLIError("the log holds \(leaves.count) entries, fewer than \(treeSize)")
      }
      let proof = try MerkleProof.inclusionProof(index: Int(seq), leaves: leaves[...])
      try Output.json([
        "index": .number(JSONNumber(seq)), "treeSize": .number(JSONNumber(treeSize)),
        "leafHash": .string(Base64.encode(leaves[Int(seq)].bytes)),
        "root": .string(Base64.encode(MerkleProof.root(leaves[...]).bytes)),
        "proof": .array(proof.map { .string(Base64.encode($0.bytes)) }),
      ])
      return
    }
    guard let checkpoint, let checkpointBytes else { throw CLIError("\(ledger.directory) has no checkpoint") }
    let proof: [SHA256Digest]
    do {
      proof = try ledger.inclusionProver(size: checkpoint.size, root: checkpoint.rootHash, state: try ledger.currentState())(seq)
    } catch is StoreError {
      throw CLIError("the checkpoint does not match the log; run `loam verify`")
    }
    var text = "c2sp.org/tlog-proof@v1\nindex \(seq)\n"
    for hash in proof { text += Base64.encode(hash.bytes) + "\n" }
    text += "\n" + String(decoding: checkpointBytes, as: UTF8.self)
    print(text, terminator: "")
  }
}

struct ProofConsistency: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "consistency",
    abstract: "Prove that the tree of the first OLD entries is a prefix of the tree of the first NEW entries (JSON)."
  )

  @OptionGroup var ledger: LedgerOption
  @Argument(help: "The older tree size.") var old: UInt64
  @Argument(help: "The newer tree size.") var new: UInt64

  func validate() throws {
    guard old > 0, old <= new else { throw ValidationError("sizes must satisfy 0 < OLD ≤ NEW") }
  }

  func run() throws {
    let ledger = try ledger.open()
    let leaves = try ledger.leafHashes(count: new)
    guard UInt64(leaves.count) == new else { throw CLIError("the log holds \(leaves.count) entries, fewer than \(new)") }
    let proof = try MerkleProof.consistencyProof(size1: Int(old), leaves: leaves[...])
    try Output.json(
      ConsistencyProofFile(
        size1: old, size2: new, root1: MerkleProof.root(leaves[..<Int(old)]), root2: MerkleProof.root(leaves[...]),
        proof: proof
      ).json)
  }
}
