import ArgumentParser
import Glibc
import LoamCore
import LoamCrypto
import LoamDemo
import LoamStore
import LoamVerify

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Build the demo supply chain, verify it, trace a bottle back to its soil and prove its regenerative share.",
    discussion:
      "A co-operative's 2026 vintage: five growers and ten fields (some farmed regeneratively, some conventionally), two certifiers, a soil lab, a winery that presses per grower and blends two cuvées, serialised bottles for a brand and two retailers, one certification corrected mid-season and one key rotated."
  )

  @Option(help: "Where to write the ledger and its keys (must not exist or be empty; default: a new temporary directory).")
  var dir: String?

  func run() throws {
    let directory = try dir ?? Self.temporaryDirectory()
    if FileIO.isNonEmptyDirectoryOrFile(directory) {
      throw CLIError("\(directory) exists and is not empty; choose another --dir")
    }
    var demo = try DemoSupplyChain(directory: directory)
    let result = try demo.build()
    let ledger = result.ledger

    heading("A vintage, told by its ledger")
    for (index, step) in result.steps.enumerated() { print("  \(index + 1). \(step)") }

    heading("Anyone can check it: loam verify")
    let verification = try ledger.verify(options: .init(strict: true, threads: 2))
    let state = verification.state
    print(
      "  \(state.size) signed entries by \(state.participants.count) participants, \(state.lots.count) lots: \(verification.isValid ? "valid" : "NOT valid")"
    )
    for finding in verification.findings { print("  \(finding)") }
    if let checkpoint = (try? ledger.checkpointBytes()).flatMap({ $0 }) {
      print("  checkpoint (C2SP signed note):")
      for line in String(decoding: checkpoint, as: UTF8.self).split(separator: "\n") { print("    \(line)") }
    }

    heading("One bottle, back to its soil: loam trace \(result.bottle)")
    let current = try ledger.currentState()
    let reader = ledger.entryReader(for: current)
    let tracer = Tracer(state: current, entry: reader)
    let trace = try tracer.backward(result.bottleLot)
    var tree = TreePrinter()
    tree.line("bottle \(result.bottle)")
    tree.child(last: true) { TraceText.backward(trace, into: &$0) }
    print(tree.text, terminator: "")

    heading("Its claim under the brand's policy: loam claim \(result.bottle) --policy roc-like")
    let policy = try ClaimCommand.loadPolicy("roc-like", state: current, reader: reader)
    var evaluator = ClaimEvaluator(policy: policy, tracer: tracer)
    let claim = try evaluator.claim(result.bottleLot)
    print(ClaimView.text(claim, subject: result.bottle), terminator: "")

    heading("Try it yourself")
    print("  export LOAM_LEDGER=\(directory)/ledger LOAM_LOG_KEY=\(result.keysDirectory)/log.pem")
    print("  loam log --kind certify")
    print("  loam trace --forward --field field:roux-nord       # the recall view")
    print("  loam claim \(result.bottle) --policy roc-like --json")
    print("  loam export epcis --lot \(result.bottle) -o \(directory)/events.jsonld   # GS1 EPCIS 2.0, with event hash IDs")
    print("  loam export fsma204 \(result.bottle) -o \(directory)/fsma204.csv         # FDA FSMA 204 records")
    print("  keys (one per participant): \(result.keysDirectory)")
    if !verification.isValid { throw CLIError("the demo ledger did not verify", status: .findings) }
  }

  func heading(_ text: String) { print("\n\u{1B}[1m\(text)\u{1B}[0m") }

  static func temporaryDirectory() throws -> String {
    var template = Array("/tmp/loam-demo-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else {
      throw CLIError("cannot create a temporary directory: \(String(cString: strerror(errno)))")
    }
    let made = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    _ = path
    // mkdtemp created it empty: the demo fills it.
    return made
  }
}
