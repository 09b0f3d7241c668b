import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore
import LoamVerify

struct WitnessCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "witness", abstract: "Act as a witness: cosign a log's checkpoint after checking it extends what you saw.",
    subcommands: [WitnessCosign.self])
}

struct WitnessCosign: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cosign",
    abstract: "Check the ledger's checkpoint against the last one you cosigned, then cosign it (C2SP tlog-cosignature v1).",
    discussion: """
      The checkpoint must verify with the log's key, be consistent with the tree in your state file (proved from the ledger's log), and neither roll back nor fork. The cosignature is added to the ledger's checkpoint and your state file is replaced atomically. Publish your verifier key with `loam key show KEY --name NAME --cosignature`.

      Exit status: 0 cosigned; 1 conflict (a rollback, or another tree of the same size: the log showed two histories); 3 the consistency proof fails (history rewritten); 2 unusable input.
      """
  )

  @OptionGroup var ledger: LedgerOption
  @Option(help: "Your Ed25519 witness key.") var witnessKey: String
  @Option(help: "Your witness name, e.g. witness.example.org/certifier.") var name: String
  @Option(help: "The log's verifier key (name+hash+base64), as the log publishes it.") var logVkey: String
  @Option(help: "Your state file for this log (created on first use).") var state: String
  @Option(help: "Environment variable holding the witness key's passphrase.") var passphraseEnv: String?

  func run() throws {
    let ledger = try ledger.open()
    let key = try Passphrase.readPrivateKey(witnessKey, environment: passphraseEnv)
    let signer = try NoteSigner(name: name, privateKey: key, type: .cosignatureV1)
    let logKey = try NoteVerifier(vkey: logVkey)
    guard let bytes = try ledger.checkpointBytes() else { throw CLIError("\(ledger.directory) has no checkpoint") }
    let note = try Note(parsing: bytes)
    do {
      _ = try Witness.cosigners(of: note, logKey: logKey, witnesses: [])
    } catch {
      throw CLIError("the checkpoint does not verify with the log key \(logKey.vkey): \(error)")
    }
    let checkpoint = try Checkpoint(text: note.text)
    let last = try WitnessStateFile.load(state)
    var proof: [SHA256Digest] = []
    if let last, last.origin == checkpoint.origin, last.size > 0, last.size < checkpoint.size {
      let leaves = try ledger.leafHashes(count: checkpoint.size)
      guard UInt64(leaves.count) == checkpoint.size, MerkleProof.root(leaves[...]) == checkpoint.rootHash else {
        throw CLIError("the ledger's log does not match its own checkpoint; run `loam verify`")
      }
      proof = try MerkleProof.consistencyProof(size1: Int(last.size), leaves: leaves[...])
    }
    switch Witness.judge(checkpoint, last: last, proof: proof) {
    case .conflict(let why):
      throw CLIError("refusing to cosign: \(why)", status: .findings)
    case .inconsistent(let why):
      Output.error("refusing to cosign: \(why)")
      throw ExitCode(3)
    case .cosign:
      let cosignature = try signer.sign(text: checkpoint.text, timestamp: UInt64(Clock.now().seconds))
      try ledger.addCosignature(cosignature, toCheckpoint: bytes)
      try WitnessStateFile.save(
        WitnessState(origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.rootHash), to: state)
      print(cosignature.line, terminator: "")
    }
  }
}
