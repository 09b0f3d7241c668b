import ArgumentParser
import Glibc
import LoamCore
import LoamCrypto
import LoamStore
import LoamVerify

struct ClaimCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "claim",
    abstract: "Prove a sourcing claim: the share of a lot (or a bottle's lot) from harvests that meet a policy.",
    discussion: """
      Walks the backward trace and evaluates each harvest against the policy at harvest time (certification valid on the harvest date, practices per season, measurements within their window). The share is propagated through every transform in proportion to the quantities consumed, in exact arithmetic; a process's yield bound caps how much compliant product a compliant input can make.

      --policy takes a policy file (Ledger/policies/*.json) or the name of a policy logged in the ledger with a `policy` statement.
      """
  )

  @OptionGroup var ledger: LedgerOption

  @Argument(help: "A lot id or a consumer item id.")
  var subject: String

  @Option(help: "A policy file, or the name of a policy logged in the ledger.")
  var policy: String

  @Flag(help: "Print the claim as JSON.")
  var json = false

  func run() throws {
    let ledger = try ledger.open()
    let state = try ledger.currentState()
    let reader = ledger.entryReader(for: state)
    let policy = try Self.loadPolicy(policy, state: state, reader: reader)
    let tracer = Tracer(state: state, entry: reader)
    let claim: Claim
    do {
      var evaluator = ClaimEvaluator(policy: policy, tracer: tracer)
      claim = try evaluator.claim(try tracer.lot(forLotOrItem: subject))
    } catch let error as TraceError {
      throw CLIError(error.description)
    } catch let error as ClaimError {
      throw CLIError(error.message)
    }
    if json {
      try Output.json(ClaimView.json(claim, subject: subject))
    } else {
      print(ClaimView.text(claim, subject: subject), terminator: "")
    }
  }

  static func loadPolicy(_ reference: String, state: LedgerState, reader: (UInt64) -> Entry?) throws -> SourcingPolicy {
    do {
      if access(reference, F_OK) == 0 {
        return try SourcingPolicy(bytes: try InputFile.read(reference))
      }
      guard let seq = state.policies[reference], let entry = reader(seq),
        let statement = try? Statement(payload: entry.envelope.payload),
        case .policy(let object) = statement.body
      else {
        throw CLIError("--policy \(reference) is neither a file nor the name of a policy logged in the ledger")
      }
      return try SourcingPolicy(json: .object(object))
    } catch let error as StatementError {
      throw CLIError("policy \(reference): \(error.description)")
    }
  }
}

enum ClaimView {
  static func text(_ claim: Claim, subject: String) -> String {
    var out = ""
    let heading = subject == claim.lot ? "lot \(claim.lot)" : "item \(subject) (lot \(claim.lot))"
    out += "\(heading) under policy \"\(claim.policy.name)\": \(claim.share.percent()) % from compliant harvests\n"
    for origin in claim.origins {
      let verdict = origin.compliant ? "meets the policy" : "fails: " + origin.reasons.joined(separator: "; ")
      out +=
        "  \(origin.weight.percent()) % from \(origin.lot), \(origin.field), harvested \(origin.harvest.statement.time.description.prefix(10)) [entry \(origin.harvest.seq)]: \(verdict)\n"
      if !origin.evidence.isEmpty {
        out +=
          "      evidence: " + origin.evidence.map { "\($0.statement.kind.rawValue) [entry \($0.seq)]" }.joined(separator: ", ")
          + "\n"
      }
    }
    for note in claim.notes { out += "  note: \(note)\n" }
    return out
  }

  static func json(_ claim: Claim, subject: String) -> JSONValue {
    var object = JSONObject()
    object["subject"] = .string(subject)
    object["lot"] = .string(claim.lot)
    object["policy"] = .string(claim.policy.name)
    object["share"] = [
      "numerator": .string(String(claim.share.numerator)), "denominator": .string(String(claim.share.denominator)),
      "percent": .string(claim.share.percent()),
    ]
    object["origins"] = .array(
      claim.origins.map { origin in
        [
          "lot": .string(origin.lot), "field": .string(origin.field), "harvest": .number(JSONNumber(origin.harvest.seq)),
          "harvestID": .string(origin.harvest.entryID.hex), "percentOfLot": .string(origin.weight.percent()),
          "compliant": .bool(origin.compliant), "evidence": .array(origin.evidence.map { .number(JSONNumber($0.seq)) }),
          "reasons": .array(origin.reasons.map { .string($0) }),
        ]
      })
    object["notes"] = .array(claim.notes.map { .string($0) })
    return .object(object)
  }
}
