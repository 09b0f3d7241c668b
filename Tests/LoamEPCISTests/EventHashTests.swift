import LoamCrypto
import Testing

@testable import LoamEPCIS

/// The EPCIS Event Hash ID against the reference implementation's published vectors (MIT): every
/// hash and every pre-hash string, and the "expected equal" pair of two representations.
@Suite struct EventHashTests {
  static let vectors = try! Vectors.json("epcis-event-hash/expected-hashes.json")

  @Test func everyPublishedDocument() throws {
    let list = try #require(Self.vectors["vectors"]?.arrayValue)
    #expect(list.count == 20)
    var events = 0
    for vector in list {
      let file = try #require(vector["file"]?.stringValue)
      let document = EPCISDocument(json: try #require(try Vectors.json("epcis-event-hash/\(file)").objectValue))
      let hashes = try #require(vector["expectedEventHashes"]?.arrayValue).compactMap(\.stringValue)
      let prehashes = try #require(vector["prehashStrings"]?.arrayValue).compactMap(\.stringValue)
      #expect(document.events.count == hashes.count, "\(file)")
      for (index, event) in document.events.enumerated() {
        let hasher = document.hasher(for: event)
        #expect(hasher.preHashString(of: event) == prehashes[index], "\(file) event \(index)")
        #expect(hasher.hashID(of: event) == hashes[index], "\(file) event \(index)")
        events += 1
      }
    }
    #expect(events == 39)  // every event of the 20 documents
  }

  @Test func twoRepresentationsOfOneEventHashAlike() throws {
    let expected = try #require(Self.vectors["expectedEqual"]?["expectedEventHashes"]?.arrayValue).compactMap(\.stringValue)
    let document = EPCISDocument(
      json: try #require(try Vectors.json("epcis-event-hash/expected_equal/ReferenceEventHashAlgorithm.json").objectValue))
    #expect(document.events.count == 2)
    #expect(document.hashIDs() == expected)
    #expect(Set(expected).count == 1)
  }

  @Test func digitalLinkCanonicalForms() {
    let cases: [(String, String?)] = [
      ("urn:epc:id:sgtin:0614141.011111.987", "https://id.gs1.org/01/00614141111114/21/987"),
      ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
      ("urn:epc:id:sgln:4012345.00011.0", "https://id.gs1.org/414/4012345000115"),
      ("https://example.com/gtin/09780345418913/21/765tz?abc=1", "https://id.gs1.org/01/09780345418913/21/765tz"),
      ("https://id.gs1.org/01/9506000134352/10/L1/21/S1", "https://id.gs1.org/01/09506000134352/21/S1"),
      ("https://example.org/certificate/ABC", nil),
      ("urn:epc:id:sgtin:0614141.01111.987", nil),  // 12 digits: not a GTIN
      ("geo:50.9,6.9", nil),
    ]
    for (input, expected) in cases { #expect(DigitalLink.canonical(input) == expected, "\(input)") }
  }

  /// Regression (fuzz-epcis): an EPC URN whose serial runs on with characters no EPC may hold
  /// became a Digital Link that did not normalise to itself. Serials are now checked against the
  /// EPC character set and length, and every canonical form is a fixed point.
  @Test func canonicalDigitalLinksAreFixedPoints() {
    #expect(DigitalLink.canonical("urn:epc:id:upui:4012345.012345.AB12\"\n ],\n x/y:z") == nil)
    #expect(DigitalLink.canonical("urn:epc:id:sgtin:4012345.011111.123456789012345678901") == nil)  // 21 > 20
    #expect(DigitalLink.canonical("urn:epc:id:sgtin:4012345.011111.98%2") == nil)  // a broken escape
    let inputs = [
      "urn:epc:id:sgtin:4012345.011111.98%22", "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
      "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234", "urn:epc:id:ginc:0614141.xyz47%2F11",
      "https://example.com/gtin/09780345418913/21/765tz?abc=1", "https://id.gs1.org/8004/4012345 A\nB",
      "urn:epc:id:giai:4012345.ABC345", "urn:epc:idpat:itip:4012345.012345.01.02.*",
    ]
    for input in inputs {
      guard let link = DigitalLink.canonical(input) else { continue }
      #expect(DigitalLink.canonical(link) == link, "\(input) → \(link)")
    }
  }

  @Test func timestampsRoundToMillisecondsInUTC() {
    #expect(PreHashValue.time("2023-02-02T11:04:03.1415Z") == "2023-02-02T11:04:03.142Z")
    #expect(PreHashValue.time("2023-02-02T11:04:03.1414Z") == "2023-02-02T11:04:03.141Z")
    #expect(PreHashValue.time("2023-12-31T23:59:59.9996-01:00") == "2024-01-01T01:00:00.000Z")
    #expect(PreHashValue.time("22-07-2026") == "22-07-2026")
  }

  /// Only decimal literals are numbers; values that merely start like one stay text.
  @Test func numbersAreDecimalLiteralsOnly() {
    for literal in ["1", "+1", "-0.50", "1.", ".5", "12e3", "1.5E-2", "-7e+10"] {
      #expect(PreHashValue.isDecimalLiteral(literal), "\(literal)")
    }
    for text in ["", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "1e5e5", "++1", "1-", "0x10", "12 ", "١٢", "urn:epc:1"] {
      #expect(!PreHashValue.isDecimalLiteral(text), "\(text)")
    }
    #expect(PreHashValue.canonical("1.50") == "1.5")
    #expect(PreHashValue.canonical("cbv:BizStep-shipping") == "https://ref.gs1.org/cbv/BizStep-shipping")
  }
}
