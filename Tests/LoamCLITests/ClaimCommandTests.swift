import Foundation
import Testing

/// A small ledger built through the CLI for claim tests: growers a and b with a certified field
/// (field:a, ROC valid all of 2026) and an uncertified one (field:b), and a winery.
final class MiniChain {
  let scratch: Scratch
  var ledger: String { scratch.path("ledger") }

  init() throws {
    scratch = try Scratch()
    try run([
      "init", "--origin", "example.org/loam/claims", "--admin", "coop", "--admin-key", key("coop"), "--log-key", key("log"),
    ])
    for name in ["a", "b", "cert", "winery"] { try run(["key", "new", "--out", key(name)]) }
    try run([
      "enroll", "--key", key("coop"), "--id", "grower:a", "--name", "A", "--role", "grower", "--participant-key", key("a"),
    ])
    try run([
      "enroll", "--key", key("coop"), "--id", "grower:b", "--name", "B", "--role", "grower", "--participant-key", key("b"),
    ])
    try run([
      "enroll", "--key", key("coop"), "--id", "certifier:roc", "--name", "ROC", "--role", "certifier", "--participant-key",
      key("cert"),
    ])
    try run([
      "enroll", "--key", key("coop"), "--id", "winery:w", "--name", "W", "--role", "processor", "--participant-key",
      key("winery"),
    ])
    try run(["append", "field", "--key", key("a"), "--id", "field:a", "--name", "A", "--hectares", "1"])
    try run(["append", "field", "--key", key("b"), "--id", "field:b", "--name", "B", "--hectares", "1"])
    try run([
      "append", "certify", "--key", key("cert"), "--field", "field:a", "--standard", "ROC", "--from", "2026-01-01T00:00:00Z",
      "--until", "2026-12-31T23:59:59Z",
    ])
    let policy =
      #"{"name":"roc-certified","standards":["ROC"],"yieldBounds":[{"process":"pressing","maxOutput":{"value":0.8,"uom":"LTR"},"perInput":{"value":1,"uom":"KGM"}}]}"#
    try Data(policy.utf8).write(to: URL(fileURLWithPath: scratch.path("policy.json")))
  }

  func key(_ name: String) -> String { scratch.path("\(name).pem") }

  @discardableResult
  func run(_ arguments: [String]) throws -> String {
    let result = try LoamBinary.run(
      arguments, environment: ["LOAM_LEDGER": scratch.path("ledger"), "LOAM_LOG_KEY": scratch.path("log.pem")])
    guard result.status == 0 else { throw FixtureError(message: "loam \(arguments.joined(separator: " ")): \(result)") }
    return result.stdout
  }

  func harvest(_ grower: String, lot: String, kg: String, time: String = "2026-09-10T08:00:00Z") throws {
    try run([
      "append", "harvest", "--key", key(grower), "--field", "field:\(grower)", "--lot", lot, "--product", "grapes", "--quantity",
      kg, "--uom", "KGM", "--time", time,
    ])
  }

  /// Ships and receives `kg` of `lot` from grower to winery.
  func deliver(_ grower: String, lot: String, kg: String) throws {
    let shipped = try run([
      "append", "ship", "--key", key(grower), "--lot", lot, "--to", "winery:w", "--quantity", kg, "--uom", "KGM", "--time",
      "2026-09-11T08:00:00Z", "--json",
    ])
    let id = try #require(
      (try JSONSerialization.jsonObject(with: Data(shipped.utf8)) as? [[String: Any]])?.first?["id"] as? String)
    try run([
      "append", "receive", "--key", key("winery"), "--shipment", id, "--quantity", kg, "--uom", "KGM", "--time",
      "2026-09-12T08:00:00Z",
    ])
  }

  func transform(_ process: String, inputs: [String], output: String, conversions: [String] = []) throws {
    var arguments = ["append", "transform", "--key", key("winery"), "--process", process, "--time", "2026-09-13T08:00:00Z"]
    for conversion in conversions { arguments += ["--conversion", conversion] }
    for input in inputs { arguments += ["--input", input] }
    arguments += ["--output", output]
    try run(arguments)
  }

  func claim(_ lot: String) throws -> [String: Any] {
    let result = try LoamBinary.run(["claim", lot, "--ledger", ledger, "--policy", scratch.path("policy.json"), "--json"])
    #expect(result.status == 0, "\(result)")
    return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  func percent(_ lot: String) throws -> String? { (try claim(lot)["share"] as? [String: Any])?["percent"] as? String }
}

@Suite struct ClaimCommandTests {
  @Test func twoFieldPressIsSixtyPercent() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "600")
    try chain.harvest("b", lot: "B1", kg: "400")
    try chain.deliver("a", lot: "A1", kg: "600")
    try chain.deliver("b", lot: "B1", kg: "400")
    try chain.transform("pressing", inputs: ["A1 600 KGM", "B1 400 KGM"], output: "M1 700 LTR must")
    let claim = try chain.claim("M1")
    #expect((claim["share"] as? [String: Any])?["percent"] as? String == "60.00")
    let origins = try #require(claim["origins"] as? [[String: Any]])
    #expect(origins.count == 2)
    let failing = try #require(origins.first { $0["lot"] as? String == "B1" })
    #expect(failing["compliant"] as? Bool == false)
    #expect(failing["percentOfLot"] as? String == "40.00")
    #expect((failing["reasons"] as? [String])?.first?.contains("no ROC certification") == true)
    let passing = try #require(origins.first { $0["lot"] as? String == "A1" })
    #expect((passing["evidence"] as? [Int])?.isEmpty == false)
    let text = try LoamBinary.run(["claim", "M1", "--ledger", chain.ledger, "--policy", chain.scratch.path("policy.json")])
    #expect(text.stdout.contains("60.00 % from compliant harvests"))
  }

  /// Layer 1: M1 = 600 kg certified + 400 kg not (0.6); M2 = 250 kg certified (1).
  /// Layer 2: W1 = 350 L of M1 + 150 L of M2 → (350·0.6 + 150·1) / 500 = 0.72.
  /// Layer 3: F = 400 L of W1 + 100 L of M1 → (400·0.72 + 100·0.6) / 500 = 0.696 → 69.60 %.
  @Test func threeLayerBlendMatchesTheHandComputation() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "600")
    try chain.harvest("a", lot: "A2", kg: "250")
    try chain.harvest("b", lot: "B1", kg: "400")
    for (grower, lot, kg) in [("a", "A1", "600"), ("a", "A2", "250"), ("b", "B1", "400")] {
      try chain.deliver(grower, lot: lot, kg: kg)
    }
    try chain.transform("pressing", inputs: ["A1 600 KGM", "B1 400 KGM"], output: "M1 700 LTR must")
    try chain.transform("pressing", inputs: ["A2 250 KGM"], output: "M2 200 LTR must")
    try chain.transform("blending", inputs: ["M1 350 LTR", "M2 150 LTR"], output: "W1 500 LTR wine")
    try chain.transform("blending", inputs: ["W1 400 LTR", "M1 100 LTR"], output: "F1 500 LTR wine")
    #expect(try chain.percent("W1") == "72.00")
    let claim = try chain.claim("F1")
    let share = try #require(claim["share"] as? [String: Any])
    #expect(share["percent"] as? String == "69.60")
    #expect(share["numerator"] as? String == "87" && share["denominator"] as? String == "125")
  }

  @Test func aCorrectedCertificationDropsItsFieldToZero() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "600")
    try chain.harvest("b", lot: "B1", kg: "400")
    try chain.deliver("a", lot: "A1", kg: "600")
    try chain.deliver("b", lot: "B1", kg: "400")
    try chain.transform("pressing", inputs: ["A1 600 KGM", "B1 400 KGM"], output: "M1 700 LTR must")
    #expect(try chain.percent("M1") == "60.00")
    let certification = try chain.run(["log", "--kind", "certify", "--json"])
    let id = try #require((try JSONSerialization.jsonObject(with: Data(certification.utf8)) as? [String: Any])?["id"] as? String)
    try chain.run(["append", "correct", "--key", chain.key("cert"), "--entry", id, "--reason", "audit found synthetic inputs"])
    #expect(try chain.percent("M1") == "0.00")
  }

  /// 1 kg of certified grapes pressed into 10,000 L: the bound (0.8 L per kg) lets 0.8 L count,
  /// 0.8 / 10,000 = 1/12,500 of the lot.
  @Test func theYieldBoundStopsInflation() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "1")
    try chain.deliver("a", lot: "A1", kg: "1")
    try chain.transform("pressing", inputs: ["A1 1 KGM"], output: "M1 10000 LTR must")
    let claim = try chain.claim("M1")
    let share = try #require(claim["share"] as? [String: Any])
    #expect(share["numerator"] as? String == "1" && share["denominator"] as? String == "12500")
    #expect((claim["notes"] as? [String])?.first?.contains("yield bound") == true)
  }

  /// A shipped part counts with the quantity actually consumed: 300 of A's 1,000 certified kg and
  /// all 700 of B's → 30.00 %.
  @Test func aPartialShipmentCountsOnlyThePartShipped() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "1000")
    try chain.harvest("b", lot: "B1", kg: "700")
    try chain.deliver("a", lot: "A1", kg: "300")
    try chain.deliver("b", lot: "B1", kg: "700")
    try chain.transform("pressing", inputs: ["A1 300 KGM", "B1 700 KGM"], output: "M1 700 LTR must")
    #expect(try chain.percent("M1") == "30.00")
    let forward = try LoamBinary.run(["trace", "--forward", "A1", "--ledger", chain.ledger, "--json"])
    let object = try #require(JSONSerialization.jsonObject(with: Data(forward.stdout.utf8)) as? [String: Any])
    let holders = try #require(object["holders"] as? [[String: Any]])
    #expect(holders.compactMap { $0["participant"] as? String } == ["grower:a"])
    #expect(((holders.first?["quantity"] as? [String: Any])?["value"] as? Int) == 700)
  }

  /// A blend of grapes (kg) and must (L) needs a declared conversion: with 1 KGM = 0.7 LTR,
  /// 100 kg of certified grapes count as 70 L beside 30 L of uncertified must → 70.00 %.
  @Test func inputsOfDifferentDimensionsNeedADeclaredConversion() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "100")
    try chain.harvest("b", lot: "B1", kg: "100")
    try chain.deliver("a", lot: "A1", kg: "100")
    try chain.deliver("b", lot: "B1", kg: "100")
    try chain.transform("pressing", inputs: ["B1 100 KGM"], output: "MB 70 LTR must")
    try chain.transform("blending", inputs: ["A1 50 KGM", "MB 30 LTR"], output: "X1 65 LTR must")
    let refused = try LoamBinary.run(["claim", "X1", "--ledger", chain.ledger, "--policy", chain.scratch.path("policy.json")])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("declare a conversion"))
    try chain.transform(
      "blending", inputs: ["A1 50 KGM", "MB 15 LTR"], output: "X2 50 LTR must", conversions: ["1 KGM = 0.7 LTR"])
    // 50 kg → 35 L certified beside 15 L uncertified: 35 / 50 = 70.00 %.
    #expect(try chain.percent("X2") == "70.00")
  }

  @Test func aPolicyLoggedInTheLedgerIsNamedByItsName() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "10")
    let statement =
      #"{"kind":"policy","actor":"coop","time":"2026-09-01T00:00:00Z","policy":{"name":"coop-roc","standards":["ROC"]}}"#
    try Data(statement.utf8).write(to: URL(fileURLWithPath: chain.scratch.path("policy-statement.json")))
    try chain.run(["append", "--key", chain.key("coop"), chain.scratch.path("policy-statement.json")])
    let result = try LoamBinary.run(["claim", "A1", "--ledger", chain.ledger, "--policy", "coop-roc", "--json"])
    #expect(result.status == 0, "\(result)")
    let claim = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(claim["policy"] as? String == "coop-roc")
    #expect((claim["share"] as? [String: Any])?["percent"] as? String == "100.00")
  }

  @Test func badPoliciesAreClearErrors() throws {
    let chain = try MiniChain()
    try chain.harvest("a", lot: "A1", kg: "1")
    for (policy, mentions) in [
      ("not json", "not valid JSON"), (#"{"name":"x","standards":["ROCK"]}"#, "unknown standard \"ROCK\""),
      (#"{"name":"x","standards":["ROC"],"practices":[{"practice":"tilling","seasons":1}]}"#, "$.practices[0].practice"),
      (#"{"standards":["ROC"]}"#, "$.name"),
    ] {
      try Data(policy.utf8).write(to: URL(fileURLWithPath: chain.scratch.path("bad.json")))
      let result = try LoamBinary.run(["claim", "A1", "--ledger", chain.ledger, "--policy", chain.scratch.path("bad.json")])
      #expect(result.status == 2, "\(policy): \(result)")
      #expect(result.stderr.contains(mentions), "\(policy): \(result)")
    }
    let unknown = try LoamBinary.run(["claim", "NOPE", "--ledger", chain.ledger, "--policy", chain.scratch.path("policy.json")])
    #expect(unknown.status == 2)
  }
}
