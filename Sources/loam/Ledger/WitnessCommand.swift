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
      The checkpoint must verify with the log's key, be consistent with the tree in your state file, and neither roll back nor fork. Your state file is replaced atomically. Publish your verifier key with `loam key show KEY --name NAME --cosignature`.

      From a ledger directory (--ledger): the proof is computed from its log and the cosignature is added to its checkpoint. From files, away from the ledger (--checkpoint FILE, and --proof FILE as `loam proof consistency OLD NEW` writes it, OLD being the size you last cosigned): the cosignature line is printed, for the log's operator to add with `loam checkpoint --add-cosignature FILE --witness VKEY`.

      Exit status: 0 cosigned; 1 conflict (a rollback, or another tree of the same size: the log showed two histories); 3 the consistency proof fails (history rewritten); 2 unusable input.
      """
  )

  @OptionGroup var ledger: LedgerOption
  @Option(help: "A checkpoint file to cosign, instead of a ledger directory's.") var checkpoint: String?
  @Option(help: "With --checkpoint: the consistency proof from your last cosigned size (`loam proof consistency` JSON).")
  var proof: String?
  @Option(help: "Your Ed25519 witness key.") var witnessKey: String
  @Option(help: "Your witness name, e.g. witness.example.org/certifier.") var name: String
  @Option(help: "The log's verifier key (name+hash+base64), as the log publishes it.") var logVkey: String
  @Option(help: "Your state file for this log (created on first use).") var state: String
  @Option(help: "Environment variable holding the witness key's passphrase.") var passphraseEnv: String?

  func run() throws {
    let key = try Passphrase.readPrivateKey(witnessKey, environment: passphraseEnv)
    let signer = try NoteSigner(name: name, privateKey: key, type: .cosignatureV1)
    let logKey = try NoteVerifier(vkey: logVkey)
    let ledger = self.checkpoint == nil ? try self.ledger.open() : nil
    let bytes: [UInt8]
    if let file = self.checkpoint {
      bytes = try InputFile.read(file)
    } else {
      guard let current = try ledger!.checkpointBytes() else { throw CLIError("\(ledger!.directory) has no checkpoint") }
      bytes = current
    }
    let note: Note
    do {
      note = try Note(parsing: bytes)
      _ = try Witness.cosigners(of: note, logKey: logKey, witnesses: [])
    } catch {
      throw CLIError("the checkpoint does not verify with the log key \(logKey.vkey): \(error)")
    }
    let checkpoint = try Checkpoint(text: note.text)
    let last = try WitnessStateFile.load(state)
    var proof: [SHA256Digest] = []
    if let last, last.origin == checkpoint.origin, last.size > 0, last.size < checkpoint.size {
      if let ledger {
        let leaves = try ledger.leafHashes(count: checkpoint.size)
        guard UInt64(leaves.count) == checkpoint.size, MerkleProof.root(leaves[...]) == checkpoint.rootHash else {
          throw CLIError("the ledger's log does not match its own checkpoint; run `loam verify`")
        }
        proof = try MerkleProof.consistencyProof(size1: Int(last.size), leaves: leaves[...])
      } else {
        guard let file = self.proof else {
          throw CLIError(
            "you last cosigned \(last.size) entries: give --proof, the output of `loam proof consistency \(last.size) \(checkpoint.size)` on the ledger"
          )
        }
        proof = try Self.readProof(file, from: last.size, to: checkpoint.size)
      }
    }
    switch Witness.judge(checkpoint, last: last, proof: proof) {
    case .conflict(let why):
      throw CLIError("refusing to cosign: \(why)", status: .findings)
    case .inconsistent(let why):
      Output.error("refusing to cosign: \(why)")
      throw ExitCode(3)
    case .cosign:
      let cosignature = try signer.sign(text: checkpoint.text, timestamp: UInt64(Clock.now().seconds))
      try ledger?.addCosignature(cosignature, toCheckpoint: bytes)
      try WitnessStateFile.save(
        WitnessState(origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.rootHash), to: state)
      print(cosignature.line, terminator: "")
    }
  }
}

extension WitnessCosign {
  /// A `loam proof consistency OLD NEW` file whose sizes are the ones this witness needs.
  static func readProof(_ path: String, from old: UInt64, to new: UInt64) throws -> [SHA256Digest] {
    let file: ConsistencyProofFile
    do {
      file = try ConsistencyProofFile(json: try Signing.parseStatement(try InputFile.read(path), source: path))
    } catch let error as ConsistencyProofFile.Malformed {
      throw CLIError("\(path) is \(error), as `loam proof consistency` writes")
    }
    guard file.size1 == old, file.size2 == new else {
      throw CLIError(
        "\(path) proves \(file.size1) → \(file.size2) entries, but you last cosigned \(old) and the checkpoint has \(new): run `loam proof consistency \(old) \(new)`"
      )
    }
    return file.proof
  }
}
