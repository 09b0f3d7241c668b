import LoamCore
import LoamCrypto
import LoamEPCIS
import Testing

/// Document validation against GS1's own examples (all valid) and the openepcis invalid documents
/// (each refused with its problem named). GS1's files have no open licence: they are read from
/// `../shared/corpora/epcis` and these tests skip, saying so, when it is absent.
@Suite struct ValidatorTests {
  static func problems(_ path: String) throws -> [EPCISProblem] {
    EPCISValidator.problems(in: try JSONParser().parse(try SharedCorpus.bytes(path)))
  }

  @Test(.enabled(if: SharedCorpus.isPresent, "GS1's EPCIS examples are not in ../shared/corpora/epcis"))
  func everyGS1ExampleIsValid() throws {
    let files = SharedCorpus.files(under: "examples/gs1")
    #expect(files.count == 27)
    for file in files {
      let problems = try Self.problems(file)
      #expect(problems.isEmpty, "\(file): \(problems)")
    }
  }

  @Test(.enabled(if: SharedCorpus.isPresent, "the openepcis invalid documents are not in ../shared/corpora/epcis"))
  func everyInvalidDocumentIsRefusedWithItsProblem() throws {
    let expected: [String: (String, String)] = [
      "EPCISDocument_without_context": ("$", "@context"),
      "ObjectEvent_with_invalid_action": ("$.epcisBody.eventList[0].action", "\"CREATE\" is not one of"),
      "ObjectEvent_with_quantity_as_text": ("$.epcisBody.eventList[0].quantityList[0].quantity", "\"twenty\" is not a number"),
      "ObjectEvent_with_unknown_field_in_quantityList": ("$.epcisBody.eventList[0].quantityList[0].weight", "unknown member"),
      "ObjectEvent_without_action_and_eventTime": ("$.epcisBody.eventList[0]", "\"eventTime\" is missing"),
      "Combination_of_events_with_missing_mandatory_fields": ("$.epcisBody.eventList[", "is missing"),
      "ObjectEvent_without_identifier_list": ("$.epcisBody.eventList[0]", "needs an \"epcList\""),
      "ObjectEvent_with_invalid_eventTime_format": ("$.epcisBody.eventList[0].eventTime", "\"22-07-2026\" is not an RFC 3339"),
    ]
    let files = SharedCorpus.files(under: "examples/openepcis-invalid")
    #expect(files.count == 8)
    for file in files {
      let name = String(file.split(separator: "/").last!.dropLast(5))
      let (path, message) = try #require(expected[name], "\(name)")
      let problems = try Self.problems(file)
      #expect(
        problems.contains { $0.path.hasPrefix(path) && $0.message.contains(message) },
        "\(name): \(problems)")
    }
  }

  @Test func unknownContextAndNonDocumentsAreNamed() throws {
    let unknown = try JSONParser().parse(
      #"{"@context":["https://example.org/my-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[]}}"#
    )
    #expect(EPCISValidator.problems(in: unknown).map(\.path) == ["$.@context[0]"])
    #expect(EPCISValidator.problems(in: .array([])).map(\.path) == ["$"])
  }

  /// Each problem is named at its own place, however deep: the paths are spelled out only for the
  /// problems (the second event holds them all, in the order they are checked).
  @Test func nestedProblemsNameTheirPaths() throws {
    let document = try JSONParser().parse(
      Array(
        #"""
        {"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument",
         "schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[
          {"type":"ObjectEvent","eventTime":"2026-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE",
           "epcList":["urn:epc:id:sgtin:0614141.107346.2017"]},
          {"type":"ObjectEvent","eventTime":"2026-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE",
           "errorDeclaration":{"declarationTime":"yesterday"},
           "readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234","floor":3},
           "sourceList":[{"source":"urn:epc:id:pgln:0614141.00001","type":"owning_party"},{"source":"urn:epc:id:pgln:0614141.00002"}],
           "sensorElementList":[{"sensorReport":[]},"hot"],
           "quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":2,"uom":"kilograms"}]}
        ]}}
        """#.utf8))
    let at = "$.epcisBody.eventList[1]"
    #expect(
      EPCISValidator.problems(in: document).map(\.path) == [
        "\(at).errorDeclaration.declarationTime", "\(at).readPoint.floor", "\(at).sourceList[1]",
        "\(at).sensorElementList[0].sensorReport", "\(at).sensorElementList[1]", "\(at).quantityList[0].uom",
      ])
  }
}

/// Every GS1 example maps to statements, or is refused for a reason Ledger/EPCIS.md documents.
@Suite struct MappingTests {
  @Test(.enabled(if: SharedCorpus.isPresent, "GS1's EPCIS examples are not in ../shared/corpora/epcis"))
  func everyGS1ExampleMapsOrIsRefusedForADocumentedReason() throws {
    let importer = EPCISImporter(defaultActor: "winery:cave", signers: ["winery:cave"])
    var kinds: [String: Int] = [:]
    for file in SharedCorpus.files(under: "examples/gs1") {
      let document = EPCISDocument(json: try #require(try JSONParser().parse(try SharedCorpus.bytes(file)).objectValue))
      do {
        let items = try importer.items(from: document)
        #expect(items.count >= document.events.count, "\(file)")
        for item in items {
          let statement: JSONObject
          switch item.statement {
          case .ready(let ready): statement = ready
          case .needsEntry(let pending, _, _, _, _): statement = pending
          }
          kinds[statement["kind"]?.stringValue ?? "?", default: 0] += 1
        }
      } catch {
        for problem in error.problems {
          #expect(problem.message.contains("needs its field") || problem.message.contains("no quantity"), "\(file): \(problem)")
        }
        print("\(file): refused: \(error.problems.map(\.message))")
      }
    }
    print("GS1 examples map to: \(kinds.sorted { $0.key < $1.key })")
    #expect((kinds["observe"] ?? 0) > 0)
  }
}

/// Statements survive the trip to EPCIS and back, identifiers included.
@Suite struct RoundTripTests {
  @Test func identifiersThatAreNotURIsComeBackExactly() {
    for id in ["GRAPES-2026-a", "MUST-2026/grower:a%b", "lot:é", "urn:epc:class:lgtin:4012345.012345.998877"] {
      let uri = LoamURI.uri(id, .lot)
      #expect(EPCISValidatorProbe.isURI(uri), "\(uri)")
      let back = LoamURI.id(uri, .lot)
      // An EPC URN comes back as its canonical Digital Link, the same lot however a partner writes it.
      #expect(back == (id.hasPrefix("urn:epc:") ? DigitalLink.canonical(id)! : id), "\(id) → \(uri) → \(back)")
    }
  }

  @Test func aMeasurementWithAnOddMetricComesBack() throws {
    let json: JSONValue = [
      "kind": "measurement", "actor": "lab:agrosol", "time": "2026-05-22T10:00:00Z", "field": "field:a%1/x",
      "metric": "soil organic carbon (%)", "value": .number(JSONNumber(literal: "3.4")!), "unit": "percent",
      "method": "dry-combustion",
      "sampled": "2026-05-15T08:00:00Z", "depthCm": 30,
    ]
    let statement = try Statement(json: json)
    let exporter = EPCISExporter(context: .init(statement: { _ in nil }, fieldHistory: { _ in [] }))
    let event = try #require(exporter.event(for: statement))
    let document = EPCISDocument(json: EPCISExporter.document(events: [event], created: Timestamp(seconds: 0)))
    #expect(EPCISValidator.problems(in: .object(document.json)).isEmpty)
    let items = try EPCISImporter(defaultActor: "lab:agrosol", signers: ["lab:agrosol"]).items(from: document)
    let back = try #require(items.first?.statement.json)
    for key in ["kind", "actor", "time", "field", "metric", "value", "unit", "method", "sampled", "depthCm"] {
      #expect(back[key] == json[key], "\(key)")
    }
    #expect(back["ref"]?.stringValue == event["eventID"]?.stringValue)
  }
}

/// The validator's URI rule, for tests.
enum EPCISValidatorProbe {
  static func isURI(_ text: String) -> Bool {
    let document: JSONValue = [
      "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
      "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z",
      "epcisBody": [
        "eventList": [
          [
            "type": "ObjectEvent", "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
            "epcList": [.string(text)],
          ]
        ]
      ],
    ]
    return EPCISValidator.problems(in: document).isEmpty
  }
}
