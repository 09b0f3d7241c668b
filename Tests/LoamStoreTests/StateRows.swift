@testable import LoamStore

extension StateStore {
  /// Every row of the derived state at `path`, one line each (`table key-hex value`), in key order:
  /// two states compare equal exactly when they hold the same rows.
  static func rowLines(at path: String) throws -> [String] {
    var out: [String] = []
    try StateStore(path: path).forEachRow { table, key, value in
      out.append("\(table) \(key.map { String($0, radix: 16) }.joined(separator: ".")) \(String(decoding: value, as: UTF8.self))")
    }
    return out
  }
}
