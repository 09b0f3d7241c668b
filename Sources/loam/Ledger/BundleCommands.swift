import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore
import LoamVerify

struct ProveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prove",
    abstract: "Write a proof bundle (loam-bundle/v1) for a lot or consumer item, verifiable offline.",
    discussion:
      "The bundle holds the current checkpoint (with its cosignatures), every entry of the backward trace and of its harvests' fields, the genesis and the enrolment and key history of every signer, each with an RFC 9162 inclusion proof to the checkpoint. Check it with `loam verify-bundle`."
  )

  @OptionGroup var ledger: LedgerOption
  @Argument(help: "A lot id or a consumer item id.") var subject: String
  @Option(name: .shortAndLong, help: "Where to write the bundle (default: standard output).") var output: String?

  func run() throws {
    let ledger = try ledger.open()
    let bundle: Bundle
    do {
      bundle = try ledger.prove(subject)
    } catch let error as TraceError {
      throw CLIError(error.description)
    }
    let bytes = try JCS.canonicalize(bundle.json) + [0x0A]
    guard bytes.count <= VerifyBundleCommand.maximumBundleSize else {
      throw CLIError(
        "the bundle of \(subject) would be \(bytes.count >> 20) MiB, more than the \(VerifyBundleCommand.maximumBundleSize >> 20) MiB verify-bundle reads; prove a lot further down the chain"
      )
    }
    if let output {
      try FileIO.writeNew(output, bytes)
      Output.note("Wrote \(output): \(bundle.entries.count) entries with inclusion proofs.")
    } else {
      print(String(decoding: bytes, as: UTF8.self), terminator: "")
    }
  }
}

struct VerifyBundleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify-bundle",
    abstract: "Verify a proof bundle offline, trusting only the log's public key, and print its trace (and claim).",
    discussion: "Exit status: 0 verified; 1 the bundle does not prove what it claims (the reason is printed); 2 unusable input."
  )

  /// A bundle is read whole: at most this size (Ledger/FORMAT.md, Limits).
  static let maximumBundleSize = 16 << 20

  @Argument(help: "The bundle file.") var bundle: String
  @Option(help: "The log's verifier key (name+hash+base64).") var logKey: String
  @Option(help: "A witness's verifier key (type 0x04); repeatable.") var witness: [String] = []
  @Option(help: "How many of the --witness keys must have cosigned.") var quorum: Int = 0
  @Option(help: "A sourcing policy file: also prove the claim.") var policy: String?
  @Flag(help: "Print the result as JSON.") var json = false

  func validate() throws {
    if quorum < 0 || quorum > witness.count {
      throw ValidationError("--quorum must be between 0 and the number of --witness keys")
    }
  }

  func run() throws {
    let source = try Signing.parseStatement(
      try InputFile.read(bundle, maximum: Self.maximumBundleSize, what: "a bundle may be"), source: bundle)
    let logKey = try NoteVerifier(vkey: self.logKey)
    let witnesses = try witness.map { try NoteVerifier(vkey: $0) }
    let parsed: Bundle
    let verified: VerifiedBundle
    do {
      parsed = try Bundle(json: source)
      verified = try BundleVerifier.verify(parsed, logKey: logKey, witnesses: witnesses, quorum: quorum)
    } catch let error as BundleError {
      throw CLIError(
        "the bundle does not verify: \(error.code): \(error.message)",
        status: error.code == "bundle.malformed" ? .unusable : .findings)
    }
    let policy = try self.policy.map { try SourcingPolicy(bytes: try InputFile.read($0)) }
    var claim: Claim? = nil
    if let policy {
      var evaluator = ClaimEvaluator(policy: policy, tracer: verified.tracer)
      do {
        claim = try evaluator.claim(verified.lot)
      } catch let error as ClaimError {
        throw CLIError(error.message)
      }
    }
    if json {
      var object = JSONObject()
      object["verified"] = true
      object["checkpoint"] = [
        "origin": .string(verified.checkpoint.origin), "size": .number(JSONNumber(verified.checkpoint.size)),
      ]
      object["cosigners"] = .array(verified.cosigners.map { .string($0.name) })
      object["entries"] = .number(JSONNumber(verified.entries.count))
      object["trace"] = TraceJSON.backward(verified.trace)
      if let claim { object["claim"] = ClaimView.json(claim, subject: parsed.subject) }
      try Output.json(.object(object))
      return
    }
    print(
      "bundle verified: \(verified.entries.count) entries included in \(verified.checkpoint.origin) at size \(verified.checkpoint.size)\(verified.cosigners.isEmpty ? "" : ", cosigned by \(verified.cosigners.map(\.name).joined(separator: ", "))")"
    )
    var tree = TreePrinter()
    if verified.lot != parsed.subject { tree.line("item \(parsed.subject), sold from lot \(verified.lot)") }
    TraceText.backward(verified.trace, into: &tree)
    print(tree.text, terminator: "")
    if let claim { print(ClaimView.text(claim, subject: parsed.subject), terminator: "") }
  }
}
