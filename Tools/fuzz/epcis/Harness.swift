// Fuzz harness: EPCIS 2.0 documents — JSON parsing, validation, GS1 event hash IDs, Digital Link
// normalisation and the mapping to statements. Build and run: Tools/fuzz.sh epcis [seconds]
import Foundation
import LoamCrypto
import LoamEPCIS

let importer = EPCISImporter(defaultActor: "winery:cave", signers: ["winery:cave"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let text = String(decoding: bytes, as: UTF8.self)
  if let link = DigitalLink.canonical(text) {
    precondition(DigitalLink.canonical(link) == link, "a canonical Digital Link is not canonical again: \(link)")
  }
  _ = PreHashValue.time(text)
  guard let value = try? JSONParser().parse(bytes) else { return 0 }
  let problems = EPCISValidator.problems(in: value)
  guard let object = value.objectValue else { return 0 }
  let document = EPCISDocument(json: object)
  let ids = document.hashIDs()
  precondition(ids == document.hashIDs(), "event hash IDs differ between two runs")
  // The hash ID depends on the event, not on how it is written: canonical JSON hashes alike.
  if let canonical = try? JCS.canonicalize(value), let again = try? JSONParser().parse(canonical),
    let reparsed = again.objectValue
  {
    precondition(EPCISDocument(json: reparsed).hashIDs() == ids, "re-serialised events hash differently")
  }
  if problems.isEmpty { _ = try? importer.items(from: document) }
  return 0
}

#if !FUZZING
  @main enum Replay {
    static func main() throws {
      for path in CommandLine.arguments.dropFirst() {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
      }
    }
  }
#endif
