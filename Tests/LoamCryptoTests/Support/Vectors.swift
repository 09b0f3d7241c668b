import Foundation
import Testing

/// Published test vectors copied into `Tests/Vectors` (see its MANIFEST.md for sources and licences).
enum Vectors {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Vectors")

  static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

  static func data(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }

  static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try data(path)) }

  /// A vector file read with Foundation's parser, independent of the code under test.
  static func json(_ path: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: data(path)) as? [String: Any])
  }

  static func hex(_ text: Any?) -> [UInt8] {
    guard let text = text as? String else { return [] }
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
      let next = text.index(index, offsetBy: 2)
      out.append(UInt8(text[index..<next], radix: 16)!)
      index = next
    }
    return out
  }
}

extension Array where Element == UInt8 {
  var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
