import Foundation
import LoamCore
import LoamCrypto
import Testing

/// `loam trace` on the fixture, whose answers are known: MUST-1 was pressed from 1000 KGM of
/// LOT-A1, harvested on field:a1 (a cover crop, a soil test and an ROC certification); field:b1's
/// LOT-B1 went nowhere; one bottle was sold from MUST-1.
@Suite struct TraceCommandTests {
  let fixture = SupplyChainFixture.shared
  let bottle = "https://id.gs1.org/01/09506000134352/21/0001"

  func json(_ arguments: [String]) throws -> [String: Any] {
    let result = try LoamBinary.run(arguments + ["--ledger", fixture.ledger, "--json"])
    #expect(result.status == 0, "\(result)")
    return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  @Test func backwardFromABottleReachesItsFieldAndNothingElse() throws {
    let trace = try json(["trace", bottle])
    #expect(trace["item"] as? String == bottle)
    #expect(trace["lot"] as? String == "MUST-1")
    let inputs = try #require(trace["inputs"] as? [[String: Any]])
    #expect(inputs.count == 1)
    let quantity = try #require(inputs[0]["quantity"] as? [String: Any])
    #expect(quantity["value"] as? Int == 1000 && quantity["uom"] as? String == "KGM")
    let grapes = try #require(inputs[0]["trace"] as? [String: Any])
    #expect(grapes["lot"] as? String == "LOT-A1")
    let field = try #require(grapes["field"] as? [String: Any])
    #expect(field["id"] as? String == "field:a1")
    #expect((field["practices"] as? [Any])?.count == 1)
    #expect((field["measurements"] as? [Any])?.count == 1)
    #expect((field["certifications"] as? [Any])?.count == 1)
    // The shipment and its receipt are the grapes' custody.
    let custody = try #require(grapes["custody"] as? [[String: Any]])
    #expect(custody.compactMap { ($0["statement"] as? [String: Any])?["kind"] as? String } == ["ship", "receive"])
    #expect(!(try LoamBinary.run(["trace", bottle, "--ledger", fixture.ledger])).stdout.contains("field:b1"))
  }

  @Test func theTreeShowsStagesActorsAndSeqs() throws {
    let result = try LoamBinary.run(["trace", "MUST-1", "--ledger", fixture.ledger])
    #expect(result.status == 0)
    for expected in [
      "lot MUST-1: 700 LTR must, pressing by winery:w", "input 1000 KGM of LOT-A1", "harvested by grower:a from field:a1",
      "cover-crop", "soil-organic-carbon", "ROC", "[entry ",
    ] {
      #expect(result.stdout.contains(expected), "\(expected)\n\(result.stdout)")
    }
  }

  @Test func forwardFromAFieldListsExactlyItsLotsAndItems() throws {
    let result = try LoamBinary.run(["trace", "--forward", "--field", "field:a1", "--ledger", fixture.ledger, "--json"])
    #expect(result.status == 0, "\(result)")
    let traces = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(traces.count == 1)
    #expect(traces[0]["lot"] as? String == "LOT-A1")
    #expect(traces[0]["items"] as? [String] == [bottle])
    let derived = try #require(traces[0]["derived"] as? [[String: Any]])
    #expect(derived.compactMap { $0["lot"] as? String } == ["MUST-1"])
    let holders = try #require(traces[0]["holders"] as? [[String: Any]])
    #expect(holders.compactMap { $0["participant"] as? String } == ["grower:a"])
    let other = try json(["trace", "--forward", "LOT-B1"])
    #expect((other["derived"] as? [Any])?.isEmpty == true)
    #expect((other["items"] as? [Any])?.isEmpty == true)
  }

  @Test func unknownSubjectsAreClearErrors() throws {
    for arguments in [
      ["trace", "NOPE"], ["trace", "--forward", "NOPE"], ["trace", "--forward", "--field", "NOPE"],
      ["trace", "--field", "field:a1"],
    ] {
      let result = try LoamBinary.run(arguments + ["--ledger", fixture.ledger])
      #expect(result.status == 2, "\(arguments): \(result)")
      #expect(!result.stderr.isEmpty)
    }
  }

  @Test func reindexRebuildsTheIndex() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    try FileManager.default.removeItem(atPath: ledger + "/state.sqlite")
    let reindexed = try LoamBinary.run(["reindex", "--ledger", ledger])
    #expect(reindexed.status == 0)
    #expect(reindexed.stdout.contains("reindexed \(SupplyChainFixture.entryCount) entries"))
    #expect(FileManager.default.fileExists(atPath: ledger + "/state.sqlite"))
    let trace = try LoamBinary.run(["trace", bottle, "--ledger", ledger])
    #expect(trace.status == 0)
    #expect(trace.stdout.contains("field:a1"))
  }
}

/// The publishable formats: DOT that Graphviz renders, and an HTML page a browser shows.
@Suite struct TraceFormatTests {
  let fixture = SupplyChainFixture.shared

  func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func dotRendersWithGraphviz() throws {
    let scratch = try Scratch()
    for (arguments, expected) in [
      (["trace", "MUST-1", "--dot"], ["lot:MUST-1", "lot:LOT-A1", "field:a1"]),
      (["trace", "--forward", "LOT-A1", "--dot"], ["lot:LOT-A1", "lot:MUST-1"]),
    ] {
      let result = try LoamBinary.run(arguments + ["--ledger", fixture.ledger])
      #expect(result.status == 0)
      try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: scratch.path("trace.dot")))
      let svg = try tool("dot", ["-Tsvg", scratch.path("trace.dot")])
      #expect(svg.status == 0, "Graphviz `dot` must be installed (.ci/run installs graphviz)")
      #expect(svg.output.contains("<svg"))
      for id in expected { #expect(svg.output.contains(id.replacingOccurrences(of: "-", with: "&#45;")), "\(id)") }
    }
  }

  @Test func htmlShowsEveryNodeInABrowser() throws {
    let scratch = try Scratch()
    let result = try LoamBinary.run([
      "trace", "https://id.gs1.org/01/09506000134352/21/0001", "--html", "--ledger", fixture.ledger,
    ])
    #expect(result.status == 0)
    #expect(!result.stdout.contains("<script"))
    let page = scratch.path("trace.html")
    try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: page))
    let dom = try tool("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page])
    #expect(dom.status == 0, "Chromium must be installed (.ci/run installs chromium)")
    for node in [
      "data-lot=\"MUST-1\"", "data-lot=\"LOT-A1\"", "data-field=\"field:a1\"", "ROC for field field:a1", "soil-organic-carbon",
    ] {
      #expect(dom.output.contains(node), "\(node)")
    }
    #expect(dom.output.contains("Provenance of https://id.gs1.org/01/09506000134352/21/0001"))
  }
}

/// A cycle in lot references can only be forged by hand: verify reports it and trace does not
/// loop on it.
@Suite struct ForgedCycleTests {
  let fixture = SupplyChainFixture.shared

  @Test func aForgedCycleIsReportedNotLoopedOn() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    // The winery "makes" LOT-A1 (an ancestor of MUST-1) from MUST-1, signed with its real key.
    let statement =
      #"{"kind":"transform","actor":"winery:w","time":"2099-01-01T00:00:00Z","process":"un-pressing","inputs":[{"lot":"MUST-1","quantity":{"value":1,"uom":"LTR"}}],"outputs":[{"lot":"LOT-A1","product":"grapes","quantity":{"value":1,"uom":"KGM"}}]}"#
    let payload = try JCS.canonicalize(JSONValue(parsing: statement))
    let envelope = try DSSEEnvelope(payload: payload, signedBy: [KeyFile.readPrivateKey(fixture.key("winery-new"))])
    let entries = try lines(of: ledger)
    let last = try Entry(line: [UInt8](entries.last!))
    let forged = Entry(seq: last.seq + 1, logged: Timestamp("2099-01-01T00:00:00Z")!, prev: last.id, envelope: envelope)
    try write(lines: entries + [Data(forged.line)], to: ledger)

    let verify = try LoamBinary.run(["verify", "--ledger", ledger])
    #expect(verify.status == 1)
    #expect(verify.stdout.contains("entry \(SupplyChainFixture.entryCount)"))
    #expect(verify.stdout.contains("state.duplicate-lot"))
    for arguments in [["trace", "MUST-1"], ["trace", "--forward", "LOT-A1"]] {
      let trace = try LoamBinary.run(arguments + ["--ledger", ledger])
      #expect(trace.status == 0, "\(arguments): \(trace)")
      #expect(!trace.stdout.contains("un-pressing"))
    }
  }
}
