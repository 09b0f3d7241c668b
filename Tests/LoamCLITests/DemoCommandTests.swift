import Foundation
import Testing

/// The main job: `loam demo` writes, verifies, traces and proves, as README promises.
@Suite struct DemoCommandTests {
  @Test func theDemoTellsItsStory() throws {
    let scratch = try Scratch()
    let result = try LoamBinary.run(["demo", "--dir", scratch.path("demo")])
    #expect(result.status == 0, "\(result)")
    for expected in [
      "132 signed entries by 13 participants, 19 lots: valid", "bottle https://id.gs1.org/01/09506000134352/21/TV26A001042",
      "harvested by grower:mas-des-cades from field:cades-terrasses",
      "under policy \"roc-like\": 89.06 % from compliant harvests",
      "no ROC certification valid on 2026-09-18",
    ] {
      #expect(result.stdout.contains(expected), "\(expected)")
    }
    // What it wrote is an ordinary ledger.
    let verified = try LoamBinary.run(["verify", "--ledger", scratch.path("demo/ledger"), "--strict"])
    #expect(verified.status == 0)
    #expect(!verified.stdout.contains("warning"))
    let again = try LoamBinary.run(["demo", "--dir", scratch.path("demo")])
    #expect(again.status == 2)
  }

  /// The brand logs the same policy as Ledger/policies/roc-like.json.
  @Test func theLoggedPolicyIsThePublishedFile() throws {
    let scratch = try Scratch()
    #expect(try LoamBinary.run(["demo", "--dir", scratch.path("demo")]).status == 0)
    let logged = try LoamBinary.run(["log", "--ledger", scratch.path("demo/ledger"), "--kind", "policy", "--json"])
    let entry = try #require(JSONSerialization.jsonObject(with: Data(logged.stdout.utf8)) as? [String: Any])
    let policy = try #require((entry["statement"] as? [String: Any])?["policy"] as? NSDictionary)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let file = try #require(
      JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("Ledger/policies/roc-like.json")))
        as? NSDictionary)
    #expect(policy == file)
  }
}
