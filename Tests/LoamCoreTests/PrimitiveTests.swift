import LoamCore
import LoamCrypto
import Testing

@Suite struct TimestampTests {
  @Test(arguments: [
    "2026-09-14T07:31:02Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2026-09-14T07:31:02.5Z",
    "2026-09-14T07:31:02.123456789Z",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
  ])
  func roundTrips(_ text: String) throws {
    let time = try #require(Timestamp(text))
    #expect(time.description == text)
  }

  @Test(arguments: [
    "2026-09-14 07:31:02Z", "2026-09-14T07:31:02", "2026-09-14T07:31:02+02:00", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
    "2026-09-14T24:00:00Z", "2026-09-14T07:31:60Z", "2026-09-14T07:31:02.Z", "2026-09-14T07:31:02.1234567890Z",
    "2026-9-14T07:31:02Z",
    "2026-09-14t07:31:02z", "",
  ])
  func refusesOtherForms(_ text: String) {
    #expect(Timestamp(text) == nil)
  }

  @Test func ordersAndKnowsTheEpoch() throws {
    #expect(Timestamp("1970-01-01T00:00:00Z")!.seconds == 0)
    #expect(Timestamp("2000-03-01T00:00:00Z")!.seconds == 951_868_800)
    #expect(Timestamp("2026-09-14T07:31:02Z")! < Timestamp("2026-09-14T07:31:02.1Z")!)
  }
}

@Suite struct ExactDecimalTests {
  @Test func arithmeticIsExact() throws {
    let a = try #require(ExactDecimal("0.1"))
    let b = try #require(ExactDecimal("0.2"))
    #expect(a.adding(b) == ExactDecimal("0.3"))
    #expect(ExactDecimal("1250.500")!.description == "1250.5")
    #expect(ExactDecimal("1000")!.subtracting(ExactDecimal("999.999")!) == ExactDecimal("0.001"))
    #expect(ExactDecimal("-0.001")!.description == "-0.001")
    #expect(ExactDecimal("12345678901234567890123.45")!.description == "12345678901234567890123.45")
    #expect(ExactDecimal("2")! < ExactDecimal("10")!)
    #expect(ExactDecimal("1e3") == nil)
    #expect(ExactDecimal(JSONNumber(literal: "1.25e3")!) == ExactDecimal("1250"))
  }

  /// A literal without an exponent is read straight from its bytes; the same literal with `e0`
  /// goes through `DecimalParts`. Both must give the same value, or both none.
  @Test func plainLiteralsReadAsTheGeneralPathReadsThem() throws {
    let nines = String(repeating: "9", count: 38)
    let literals = [
      "0", "-0", "0.0", "-0.000", "7", "12.50", "1000", "1002", "0.001", "-0.001", "1250.5", "100.100", nines, "-" + nines,
      "9." + String(nines.dropFirst()), "0." + String(repeating: "0", count: 37) + "1",
      "1" + String(repeating: "0", count: 38), nines + "9", "0.1" + nines,
    ]
    for literal in literals {
      let plain = ExactDecimal(try #require(JSONNumber(literal: literal)))
      let general = ExactDecimal(try #require(JSONNumber(literal: literal + "e0")))
      #expect(plain == general, "\(literal)")
    }
    #expect(ExactDecimal("12.50") == ExactDecimal(significand: 125, scale: 1))
    #expect(ExactDecimal(nines + "9") == nil)
  }

  @Test func unitsConvertWithinADimension() {
    #expect(Quantity(ExactDecimal("1.25")!, "TNE").converted(to: "KGM") == ExactDecimal("1250"))
    #expect(Quantity(ExactDecimal("750")!, "MLT").converted(to: "LTR") == ExactDecimal("0.75"))
    #expect(Quantity(ExactDecimal("1")!, "KGM").converted(to: "LTR") == nil)
    #expect(Quantity(ExactDecimal("1")!, "XYZ").converted(to: "KGM") == nil)
  }

  @Test func identifiers() {
    #expect(Identifier.isValid("https://id.gs1.org/01/09506000134352/10/LOT42"))
    #expect(Identifier.isValid("urn:epc:id:sgtin:0614141.107346.2017"))
    #expect(!Identifier.isValid(""))
    #expect(!Identifier.isValid("two words"))
    #expect(!Identifier.isValid("tab\there"))
    #expect(!Identifier.isValid(String(repeating: "x", count: 257)))
    #expect(Identifier.isValid(String(repeating: "x", count: 256)))
  }
}

/// The compact range against the RFC 9162 / transparency-dev roots.
@Suite struct CompactRangeTests {
  @Test func rootsOfTheEightLeafVectors() throws {
    let vectors = try Vectors.json("merkle/rfc6962_tree_vectors.json")
    let leaves = try #require(vectors["leafInputs"] as? [String])
    let roots = try #require((vectors["rootHashesBySize"] as? [String: Any])?["roots"] as? [String])
    var range = CompactRange()
    #expect(range.root.hex == roots[0])
    for (index, leaf) in leaves.enumerated() {
      range.append(leafHash: MerkleHash.leaf(Vectors.hex(leaf)))
      #expect(range.root.hex == roots[index + 1], "size \(index + 1)")
    }
  }

  @Test func rootsOfThe130LeafVectors() throws {
    let vectors = try Vectors.json("merkle/derived_rfc9162_vectors_130_leaves.json")
    let roots = try #require(vectors["rootHashesBySize"] as? [String])
    #expect(roots.count == 131)
    var range = CompactRange()
    for size in 1...130 {
      range.append(leafHash: MerkleHash.leaf([UInt8(size - 1)]))
      #expect(range.root.hex == roots[size], "size \(size)")
      #expect(CompactRange(size: range.size, nodes: range.nodes) == range)
    }
  }
}
