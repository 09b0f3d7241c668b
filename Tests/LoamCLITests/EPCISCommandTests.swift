import Foundation
import Testing

/// `loam import epcis`, `loam export epcis` and `loam export fsma204` on the demo supply chain.
@Suite struct EPCISCommandTests {
  static let bottle = "https://id.gs1.org/01/09506000134352/21/TV26A001042"

  /// The demo ledger, and the signing keys of its participants (`--key` arguments).
  static func demo(_ scratch: Scratch) throws -> (ledger: String, keys: [String], logKey: String) {
    #expect(try LoamBinary.run(["demo", "--dir", scratch.path("demo")]).status == 0)
    let keysDirectory = scratch.path("demo/keys")
    let files = try FileManager.default.contentsOfDirectory(atPath: keysDirectory).sorted()
    let keys = files.filter { $0 != "log.pem" }.flatMap { ["--key", "\(keysDirectory)/\($0)"] }
    return (scratch.path("demo/ledger"), keys, "\(keysDirectory)/log.pem")
  }

  static func statementKinds(_ ledger: String) throws -> [String] {
    let lines = try String(contentsOfFile: ledger + "/entries.jsonl", encoding: .utf8).split(separator: "\n")
    return try lines.map { line in
      let entry = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let payload = try #require(
        ((entry["envelope"] as? [String: Any])?["payload"] as? String).flatMap { Data(base64Encoded: $0) })
      let statement = try #require(JSONSerialization.jsonObject(with: payload) as? [String: Any])
      return statement["kind"] as? String ?? ""
    }
  }

  static func eventIDs(_ data: Data) throws -> [String] {
    let document = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    let events = try #require((document["epcisBody"] as? [String: Any])?["eventList"] as? [[String: Any]])
    return events.compactMap { $0["eventID"] as? String }
  }

  /// A trace without what differs between two ledgers holding the same statements.
  static func portable(_ value: Any) -> Any {
    if let object = value as? [String: Any] {
      let dropped: Set<String> = ["seq", "id", "entry", "logged", "shipment", "ref"]
      return object.filter { !dropped.contains($0.key) }.mapValues(portable)
    }
    if let array = value as? [Any] { return array.map(portable) }
    return value
  }

  /// Export the demo's supply-chain events, import them into another ledger that holds the same
  /// participants, fields and certifications, and the bottle traces the same; exporting again
  /// gives the same GS1 event hash IDs, and importing again logs nothing twice.
  @Test func exportImportExportRoundTrip() throws {
    let scratch = try Scratch()
    let (ledger, keys, logKey) = try Self.demo(scratch)
    let kinds = try Self.statementKinds(ledger)
    let firstEvent = try #require(kinds.firstIndex(of: "harvest"))
    // The other ledger: the demo's entries before its first harvest, verbatim, then the statements
    // after it that EPCIS has no event for (a key rotation, a policy).
    let fresh = scratch.path("fresh")
    try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
    let lines = try String(contentsOfFile: ledger + "/entries.jsonl", encoding: .utf8).split(separator: "\n")
    try (lines[..<firstEvent].joined(separator: "\n") + "\n").write(
      toFile: fresh + "/entries.jsonl", atomically: true, encoding: .utf8)
    var envelopes: [String] = []
    for (index, line) in lines.enumerated() where index >= firstEvent && ["keys", "policy"].contains(kinds[index]) {
      let entry = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let file = scratch.path("envelope-\(index).json")
      try JSONSerialization.data(withJSONObject: entry["envelope"]!).write(to: URL(fileURLWithPath: file))
      envelopes.append(file)
    }
    #expect(envelopes.count == 2)
    let submitted = try LoamBinary.run(["submit", "--ledger", fresh, "--log-key", logKey] + envelopes)
    #expect(submitted.status == 0, "\(submitted)")

    let exported = try LoamBinary.run(
      ["export", "epcis", "--ledger", ledger, "--since", String(firstEvent), "-o", scratch.path("events.json")])
    #expect(exported.status == 0, "\(exported)")
    let ids = try Self.eventIDs(try scratch.read("events.json"))
    #expect(ids.count == kinds[firstEvent...].filter { $0 != "keys" && $0 != "policy" }.count)

    let imported = try LoamBinary.run(
      ["import", "epcis", "--ledger", fresh, "--log-key", logKey] + keys + [scratch.path("events.json")])
    #expect(imported.status == 0, "\(imported)")
    #expect(imported.stdout.contains("\(ids.count) statements appended"), "\(imported)")
    #expect(try LoamBinary.run(["verify", "--ledger", fresh, "--strict"]).status == 0)

    for arguments in [[Self.bottle, "--json"], ["--forward", "GRAPES-2026-cades-terrasses", "--json"]] {
      let original = try LoamBinary.run(["trace", "--ledger", ledger] + arguments)
      let copy = try LoamBinary.run(["trace", "--ledger", fresh] + arguments)
      #expect(original.status == 0 && copy.status == 0)
      let a = Self.portable(try JSONSerialization.jsonObject(with: Data(original.stdout.utf8))) as! NSObject
      let b = Self.portable(try JSONSerialization.jsonObject(with: Data(copy.stdout.utf8))) as! NSObject
      #expect(a == b, "\(arguments)")
    }

    let again = try LoamBinary.run(
      ["export", "epcis", "--ledger", fresh, "--since", String(firstEvent), "-o", scratch.path("again.json")])
    #expect(again.status == 0)
    #expect(try Self.eventIDs(try scratch.read("again.json")) == ids)

    let before = try snapshot(fresh)
    let twice = try LoamBinary.run(
      ["import", "epcis", "--ledger", fresh, "--log-key", logKey] + keys + [scratch.path("events.json")])
    #expect(twice.status == 0)
    #expect(twice.stdout.contains("0 statements appended, \(ids.count) already logged"), "\(twice)")
    #expect(try snapshot(fresh).filter { $0.key != "checkpoint" } == before.filter { $0.key != "checkpoint" })
  }

  static let schemaCheck: String? = {
    let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "shared/corpora/epcis/schema/EPCIS-JSON-Schema.json"
      ).path
    guard FileManager.default.fileExists(atPath: schema) else { return nil }
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import jsonschema"]
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return nil }
    probe.waitUntilExit()
    return probe.terminationStatus == 0 ? schema : nil
  }()

  /// The whole demo ledger's export validates against GS1's EPCIS 2.0 JSON Schema (with formats),
  /// checked by Python's jsonschema; GS1's schema has no open licence and is read from ../shared.
  @Test(.enabled(if: schemaCheck != nil, "needs ../shared/corpora/epcis/schema and python3-jsonschema"))
  func exportValidatesAgainstTheGS1Schema() throws {
    let scratch = try Scratch()
    let (ledger, _, _) = try Self.demo(scratch)
    #expect(try LoamBinary.run(["export", "epcis", "--ledger", ledger, "-o", scratch.path("all.json")]).status == 0)
    #expect(
      try LoamBinary.run(["export", "epcis", "--ledger", ledger, "--lot", Self.bottle, "-o", scratch.path("lot.json")]).status
        == 0)
    #expect(try Self.eventIDs(try scratch.read("lot.json")).count < Self.eventIDs(try scratch.read("all.json")).count)
    for file in ["all.json", "lot.json"] {
      let check = Process()
      check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      check.arguments = [
        "python3", "-c",
        """
        import json, sys
        from jsonschema import Draft7Validator, FormatChecker
        schema = json.load(open(sys.argv[1]))
        errors = list(Draft7Validator(schema, format_checker=FormatChecker()).iter_errors(json.load(open(sys.argv[2]))))
        for e in errors[:5]: print(list(e.absolute_path), e.message[:200])
        sys.exit(1 if errors else 0)
        """,
        Self.schemaCheck!, scratch.path(file),
      ]
      let out = Pipe()
      check.standardOutput = out
      try check.run()
      let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      check.waitUntilExit()
      #expect(check.terminationStatus == 0, "\(file): \(printed)")
    }
  }

  /// Bad input: one clear sentence, and the ledger byte-for-byte as it was.
  @Test func badDocumentsAreRefusedWhole() throws {
    let scratch = try Scratch()
    let (ledger, keys, logKey) = try Self.demo(scratch)
    let context = "\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"]"
    func document(_ events: String, context: String = context) -> String {
      "{\(context),\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"2026-11-20T10:00:00Z\",\"epcisBody\":{\"eventList\":[\(events)]}}"
    }
    let sale =
      "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-11-22T10:00:00+01:00\",\"eventTimeZoneOffset\":\"+01:00\",\"action\":\"OBSERVE\",\"bizStep\":\"retail_selling\",\"quantityList\":[{\"epcClass\":\"https://id.gs1.org/01/09506000134352/10/TV26A\",\"quantity\":1,\"uom\":\"H87\"}]}"
    let unknownLot = sale.replacingOccurrences(of: "10/TV26A", with: "10/NOSUCHLOT")
    var big = document(
      Array(
        repeating:
          "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-11-22T10:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"OBSERVE\",\"epcList\":[]}",
        count: 80_000
      )
      .joined(separator: ","))
    while big.utf8.count < 10_000_000 { big += " " }
    let cases: [(String, String, Int32, String)] = [
      ("not-json.json", "this is not JSON", 2, "is not JSON"),
      (
        "unknown-context.json", document(sale, context: "\"@context\":[\"https://example.org/ctx.jsonld\"]"), 2, "unknown context"
      ),
      (
        "bad-action.json", document(sale.replacingOccurrences(of: "OBSERVE", with: "CREATE")), 2,
        "$.epcisBody.eventList[0].action"
      ),
      ("big.json", big, 2, "is larger than 8 MiB, the most an EPCIS document may be"),
      // A valid sale, then one of a lot the ledger never saw: neither is logged.
      ("unknown-lot.json", document(sale + "," + unknownLot), 1, "NOSUCHLOT"),
    ]
    // The retailer sells: the bottles it holds are the brand's shipment.
    let retailer = try #require(keys.firstIndex { $0.hasSuffix("retailer-cave-paris.pem") })
    for (name, text, status, message) in cases {
      try scratch.write(name, Data(text.utf8))
      let before = try snapshot(ledger)
      let result = try LoamBinary.run(
        ["import", "epcis", "--ledger", ledger, "--log-key", logKey, "--key", keys[retailer], scratch.path(name)])
      #expect(result.status == status, "\(name): \(result)")
      #expect(result.stderr.contains(message), "\(name): \(result)")
      #expect(try snapshot(ledger) == before, "\(name)")
    }
    // The valid sale alone is accepted, and a second import of it logs nothing.
    try scratch.write("sale.json", Data(document(sale).utf8))
    let sold = try LoamBinary.run(
      ["import", "epcis", "--ledger", ledger, "--log-key", logKey, "--key", keys[retailer], scratch.path("sale.json")])
    #expect(sold.status == 0, "\(sold)")
    #expect(sold.stdout.contains("1 statements appended"))
  }

  /// GS1's examples are about GS1's sample company: each is valid, and its import into the demo
  /// ledger is refused for a reason Ledger/EPCIS.md gives, naming the event, with nothing written.
  @Test(.enabled(if: schemaCheck != nil, "GS1's EPCIS examples are not in ../shared/corpora/epcis"))
  func everyGS1ExampleIsRefusedForADocumentedReason() throws {
    let scratch = try Scratch()
    let (ledger, keys, logKey) = try Self.demo(scratch)
    let winery = try #require(keys.first { $0.hasSuffix("winery-cave.pem") })
    let base = URL(fileURLWithPath: Self.schemaCheck!).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("examples/gs1").path
    let files = try #require(FileManager.default.subpaths(atPath: base)).filter { $0.hasSuffix(".jsonld") }.sorted()
    #expect(files.count == 27)
    let before = try snapshot(ledger)
    for file in files {
      let result = try LoamBinary.run(
        ["import", "epcis", "--ledger", ledger, "--log-key", logKey, "--key", winery, "\(base)/\(file)"])
      #expect(result.status == 1, "\(file): \(result)")
      #expect(result.stderr.contains("refused: event at \(base)/\(file) $.epcisBody."), "\(file): \(result)")
      let reasons = ["state.unknown-lot", "was never imported into this ledger", "no shipment of"]
      #expect(reasons.contains { result.stderr.contains($0) }, "\(file): \(result)")
    }
    #expect(try snapshot(ledger) == before)
  }

  /// A correction of an event goes out as that event again with an errorDeclaration: the same hash
  /// ID, so a partner matches it to the event it declares wrong.
  @Test func aCorrectedSaleIsExportedAsItsErrorDeclaration() throws {
    let scratch = try Scratch()
    let (ledger, _, logKey) = try Self.demo(scratch)
    let log = try LoamBinary.run(["log", "--ledger", ledger, "--kind", "sell", "--json"])
    let sale = try #require(
      log.stdout.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      }.first { ($0["statement"] as? [String: Any])?["actor"] as? String == "retailer:cave-paris" })
    let corrected = try LoamBinary.run([
      "append", "correct", "--ledger", ledger, "--log-key", logKey, "--key", scratch.path("demo/keys/retailer-cave-paris.pem"),
      "--entry", try #require(sale["id"] as? String), "--reason", "sold twice by mistake",
    ])
    #expect(corrected.status == 0, "\(corrected)")
    #expect(try LoamBinary.run(["export", "epcis", "--ledger", ledger, "-o", scratch.path("all.json")]).status == 0)
    let document = try #require(try JSONSerialization.jsonObject(with: try scratch.read("all.json")) as? [String: Any])
    let events = try #require((document["epcisBody"] as? [String: Any])?["eventList"] as? [[String: Any]])
    let declarations = events.filter { $0["errorDeclaration"] != nil }
    #expect(declarations.count == 1)
    let declaration = try #require(declarations.first)
    let original = events.filter {
      $0["errorDeclaration"] == nil && $0["eventID"] as? String == declaration["eventID"] as? String
    }
    #expect(original.count == 1, "the declaration's hash ID is its sale's")
    #expect((original.first?["bizStep"] as? String) == "retail_selling")
    #expect(((declaration["errorDeclaration"] as? [String: Any])?["loam:reason"] as? String) == "sold twice by mistake")
  }

  @Test func fsma204RecordsOfTheBottle() throws {
    let scratch = try Scratch()
    let (ledger, _, _) = try Self.demo(scratch)
    let result = try LoamBinary.run(["export", "fsma204", "--ledger", ledger, Self.bottle, "-o", "-"])
    #expect(result.status == 0, "\(result)")
    let rows = result.stdout.split(separator: "\r\n").map(String.init)
    #expect(rows.first?.hasPrefix("Event Date,Critical Tracking Event,Traceability Lot Code") == true)
    let events = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    // One Harvesting row per harvest the trace reaches.
    let trace = try LoamBinary.run(["trace", "--ledger", ledger, Self.bottle, "--json"])
    let harvests = trace.stdout.components(separatedBy: "\"kind\":\"harvest\"").count - 1
    #expect(harvests == 8)
    #expect(events.filter { $0[1] == "Harvesting" }.count == harvests)
    #expect(events.contains { $0[1] == "Transformation" && $0[2] == "https://id.gs1.org/01/09506000134352/10/TV26A" })
    #expect(events.contains { $0[1] == "Receiving" && $0[6] == "winery:cave" && $0[8].hasPrefix("grower:") })
    // Sorted by date, as FDA's sortable spreadsheet asks.
    let dates = events.map { $0[0] }
    #expect(dates == dates.sorted())
  }

  /// `-o` never writes over a file: the export is refused, and the file keeps every byte.
  @Test func exportOntoAnExistingFileLeavesItAlone() throws {
    let scratch = try Scratch()
    let (ledger, _, _) = try Self.demo(scratch)
    let kept = Data("someone's notes\n".utf8)
    for command in [["export", "epcis"], ["export", "fsma204", Self.bottle]] {
      let path = scratch.path("taken-\(command[1]).txt")
      try kept.write(to: URL(fileURLWithPath: path))
      let result = try LoamBinary.run(command + ["--ledger", ledger, "-o", path])
      #expect(result.status == 2, "\(result)")
      #expect(result.stderr.contains("already exists"), "\(result)")
      #expect(FileManager.default.contents(atPath: path) == kept, "\(command)")
    }
  }
}
