import LoamCore
import LoamCrypto
import Testing

@Suite struct StatementTests {
  func error(_ json: String) -> StatementError? {
    do {
      _ = try Statement(payload: Array(json.utf8))
      return nil
    } catch {
      return error as? StatementError
    }
  }

  @Test func harvestParses() throws {
    let statement = try Statement(
      payload: Array(
        #"{"kind":"harvest","actor":"grower:a","time":"2026-09-14T07:31:02Z","field":"f1","lot":"https://id.gs1.org/01/09506000134352/10/LOT42","product":"grapes","quantity":{"value":1250.5,"uom":"KGM"}}"#
          .utf8))
    guard case .harvest(let harvest) = statement.body else { Issue.record("not a harvest"); return }
    #expect(harvest.quantity == Quantity(ExactDecimal("1250.5")!, "KGM"))
    #expect(statement.actor == "grower:a")
  }

  /// Strings read back code unit for code unit, whether ASCII or not.
  @Test func stringsKeepTheirBytes() throws {
    for product in ["grapes", "Grüner Veltliner", "A\u{30A}", "Å", "葡萄"] {
      let statement = try Statement(
        payload: Array(
          #"{"kind":"harvest","actor":"grower:a","time":"2026-09-14T07:31:02Z","field":"f1","lot":"L","product":"\#(product)","quantity":{"value":1,"uom":"KGM"}}"#
            .utf8))
      guard case .harvest(let harvest) = statement.body else { Issue.record("not a harvest"); return }
      #expect(Array(harvest.product.utf8) == Array(product.utf8))
    }
  }

  @Test func errorsNameTheJSONPath() {
    let base = #""kind":"harvest","actor":"g","time":"2026-09-14T07:31:02Z","field":"f1","lot":"L","product":"grapes""#
    #expect(error("{\(base)}")?.path == "$.quantity")
    #expect(error("{\(base),\"quantity\":{\"value\":\"12\",\"uom\":\"KGM\"}}")?.path == "$.quantity.value")
    #expect(error("{\(base),\"quantity\":{\"value\":-1,\"uom\":\"KGM\"}}")?.path == "$.quantity")
    #expect(error("{\(base),\"quantity\":{\"value\":1,\"uom\":\"kilograms\"}}")?.path == "$.quantity.uom")
    #expect(error("{\(base),\"quantity\":{\"value\":1,\"uom\":\"KGM\"},\"quantitiy\":1}")?.message.contains("quantitiy") == true)
    let nested = error("{\(base),\"quantity\":{\"value\":1,\"uom\":\"KGM\",\"unit\":\"kg\"}}")
    #expect(nested?.path == "$.quantity")
    #expect(nested?.message.contains("\"unit\"") == true)
    #expect(error(#"{"kind":"harvest","actor":"g","time":"yesterday"}"#)?.path == "$.time")
    #expect(error(#"{"kind":"teleport","actor":"g","time":"2026-09-14T07:31:02Z"}"#)?.code == "statement.unknown-kind")
    #expect(error(#"{"kind":"harvest"}"#)?.path == "$.actor")
    #expect(error("[1]")?.path == "$")
    // Items of arrays, and members nested in them.
    let transform = #""kind":"transform","actor":"g","time":"2026-09-14T07:31:02Z","process":"press""#
    let good = #"{"lot":"a","quantity":{"value":1,"uom":"KGM"}}"#
    let output = #"[{"lot":"b","product":"p","quantity":{"value":1,"uom":"LTR"}}]"#
    #expect(
      error(#"{\#(transform),"inputs":[\#(good),{"lot":"c","quantity":{"value":1,"uom":"kg"}}],"outputs":\#(output)}"#)?.path
        == "$.inputs[1].quantity.uom")
    #expect(error(#"{\#(transform),"inputs":[\#(good),{"lot":"c"}],"outputs":\#(output)}"#)?.path == "$.inputs[1].quantity")
    #expect(error(#"{\#(transform),"inputs":[\#(good),7],"outputs":\#(output)}"#)?.path == "$.inputs[1]")
    #expect(error(#"{\#(transform),"inputs":[\#(good)],"outputs":[{"lot":"b","product":"p"}]}"#)?.path == "$.outputs[0].quantity")
    #expect(error("not json")?.code == "statement.malformed")
  }

  /// Member names and kinds match byte for byte: a name that Swift's `==` calls equal (the Kelvin
  /// sign U+212A is canonically "K") is another member, and a kind is matched exactly.
  @Test func namesMatchByteForByte() throws {
    let head = #""actor":"g","time":"2026-09-14T07:31:02Z""#
    func genesis(_ k: String) -> String {
      #"{"kind":"genesis",\#(head),"origin":"o","participants":[],"log\#(k)ey":"o+1+x"}"#
    }
    #expect(error(genesis("\u{212A}"))?.message.contains("unknown member") == true)
    #expect(error(genesis("K"))?.path == "$.logKey")
    for kind in StatementKind.allCases {
      let statement = #"{"kind":"\#(kind.rawValue)",\#(head)}"#
      #expect(error(statement)?.code != "statement.unknown-kind", "\(kind)")
      #expect(error(#"{"kind":"\#(kind.rawValue.uppercased())",\#(head)}"#)?.code == "statement.unknown-kind")
      #expect(error(#"{"kind":"\#(kind.rawValue) ",\#(head)}"#)?.code == "statement.unknown-kind")
    }
  }

  @Test func payloadsAbove32KiBAreRefused() {
    let padding = String(repeating: "x", count: 33 * 1024)
    let json = #"{"kind":"observe","actor":"g","time":"2026-09-14T07:31:02Z","lot":"L","observation":{"note":"\#(padding)"}}"#
    #expect(error(json)?.code == "statement.too-large")
  }

  @Test func kindSpecificRules() {
    let head = #""actor":"g","time":"2026-09-14T07:31:02Z""#
    #expect(
      error(
        #"{"kind":"practice",\#(head),"field":"f","practice":"cover-crop","period":{"start":"2026-03-01T00:00:00Z","end":"2026-01-01T00:00:00Z"}}"#
      )?.path == "$.period.end")
    #expect(
      error(
        #"{"kind":"practice",\#(head),"field":"f","practice":"tilling","period":{"start":"2026-01-01T00:00:00Z","end":"2026-03-01T00:00:00Z"}}"#
      )?.path == "$.practice")
    #expect(
      error(
        #"{"kind":"certify",\#(head),"subject":{"field":"f","lot":"l"},"standard":"ROC","valid":{"from":"2026-01-01T00:00:00Z","until":"2027-01-01T00:00:00Z"}}"#
      )?.path == "$.subject")
    #expect(error(#"{"kind":"receive",\#(head),"shipment":"abc","quantity":{"value":1,"uom":"KGM"}}"#)?.path == "$.shipment")
    #expect(
      error(
        #"{"kind":"transform",\#(head),"inputs":[],"outputs":[{"lot":"b","product":"p","quantity":{"value":1,"uom":"KGM"}}],"process":"p"}"#
      )?.path == "$.inputs")
    #expect(error(#"{"kind":"keys",\#(head),"participant":"g"}"#) != nil)
    #expect(
      error(#"{"kind":"enroll",\#(head),"participant":{"id":"x","name":"X","roles":["wizard"],"keys":[]}}"#)?.path
        == "$.participant.roles[0]")
    #expect(
      error(#"{"kind":"enroll",\#(head),"participant":{"id":"x","name":"X","roles":["grower"],"keys":["not a key"]}}"#)?.path
        == "$.participant.keys[0]")
  }
}
