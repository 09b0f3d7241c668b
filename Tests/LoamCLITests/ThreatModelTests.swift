import Foundation
import Testing

/// docs/THREAT_MODEL.md backs every row with a test: each named `Suite.test` must exist as a
/// test function in that suite, and each named tool must exist in the repository.
@Suite struct ThreatModelTests {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Every Swift source under Tests/, by suite name.
  func suites() throws -> [String: String] {
    var sources: [String: String] = [:]
    let tests = root.appendingPathComponent("Tests")
    let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)
    while let file = files?.nextObject() as? URL {
      guard file.pathExtension == "swift" else { continue }
      let text = try String(contentsOf: file, encoding: .utf8)
      for line in text.split(separator: "\n") where line.hasPrefix("@Suite") && line.contains(" struct ") {
        let name = line.split(separator: " struct ")[1].prefix { $0.isLetter || $0.isNumber }
        sources[String(name), default: ""] += text
      }
    }
    return sources
  }

  @Test func everyRowNamesATestThatExists() throws {
    let model = try String(contentsOf: root.appendingPathComponent("docs/THREAT_MODEL.md"), encoding: .utf8)
    let suites = try suites()
    var rows = 0
    for line in model.split(separator: "\n")
    where line.hasPrefix("| ") && !line.hasPrefix("| Attack") && !line.hasPrefix("| Collusion") {
      rows += 1
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      let named = cells.last!.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
        .map { String($0.element) }
      #expect(!named.isEmpty, "a row without a test: \(line)")
      for name in named {
        if name.hasPrefix("Tools/") {
          let path = String(name.split(separator: " ")[0])
          #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(name) does not exist")
        } else {
          let parts = name.split(separator: ".")
          #expect(parts.count == 2, "\(name) is not Suite.test")
          guard parts.count == 2 else { continue }
          let source = suites[String(parts[0])]
          #expect(source != nil, "no suite \(parts[0]) (\(name))")
          #expect(source?.contains("func \(parts[1])(") == true, "no test \(name)")
        }
      }
    }
    #expect(rows >= 30, "only \(rows) rows read from the threat model")
  }
}
