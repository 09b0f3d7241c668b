import Foundation
import LoamCrypto
import Testing

enum Vectors {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Vectors")

  static func bytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
  }

  static func json(_ path: String) throws -> JSONValue {
    try JSONParser().parse(try bytes(path))
  }
}

/// GS1's own EPCIS examples, schema and context have no open licence: they are read from
/// `../shared/corpora/epcis` when present and the tests that need them skip otherwise.
enum SharedCorpus {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpora/epcis")

  static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

  static func files(under folder: String) -> [String] {
    let base = root.appendingPathComponent(folder)
    let items = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
    return items.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonld") }.sorted().map { "\(folder)/\($0)" }
  }

  static func bytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
  }
}
