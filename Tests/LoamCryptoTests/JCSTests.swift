import Foundation
import LoamCrypto
import Testing

/// RFC 8785 against the reference repository's vectors, plus the parser's refusals.
@Suite struct JCSTests {
  static let cases = ["arrays", "french", "structures", "unicode", "values", "weird"]

  @Test(arguments: cases)
  func referenceInputCanonicalizesToReferenceOutput(_ name: String) throws {
    let input = try Vectors.bytes("jcs/input/\(name).json")
    let expected = try Vectors.bytes("jcs/output/\(name).json")
    let canonical = try JCS.canonicalize(json: input, numbers: .roundToDouble)
    #expect(canonical == expected, "\(String(decoding: canonical, as: UTF8.self))")
    // Canonical output is a fixed point, and recognised as canonical.
    #expect(try JCS.canonicalize(json: expected, numbers: .roundToDouble) == expected)
    #expect(!JCS.isCanonical(input))
  }

  /// Loam's default refuses to round: `333333333.33333329` cannot be written canonically
  /// without changing its value. The other five reference documents hold no such number.
  @Test func exactPolicyRefusesNumbersADoubleCannotHold() throws {
    let values = try Vectors.bytes("jcs/input/values.json")
    #expect(throws: JSONError.self) { try JCS.canonicalize(json: values) }
    do {
      _ = try JCS.canonicalize(json: values)
    } catch {
      #expect(error.code == .inexactNumber)
    }
    for name in Self.cases where name != "values" {
      let canonical = try JCS.canonicalize(json: try Vectors.bytes("jcs/input/\(name).json"))
      #expect(canonical == (try Vectors.bytes("jcs/output/\(name).json")))
    }
    // Values that a double holds exactly pass in any spelling.
    #expect(
      try JCS.canonicalize(json: Array("[1E30, 4.50, 2e-3, 1e-27, 10.0, -0]".utf8)) == Array("[1e+30,4.5,0.002,1e-27,10,0]".utf8))
    #expect(throws: JSONError.self) { try JCS.canonicalize(json: Array("12345678901234567890".utf8)) }
    #expect(
      try JCS.canonicalize(json: Array("12345678901234567890".utf8), numbers: .roundToDouble)
        == Array("12345678901234567000".utf8))
  }

  /// The first 10,000 lines of the reference ES6 number file (IEEE bits → expected text).
  @Test func es6NumberSerialization() throws {
    let text = String(decoding: try Vectors.bytes("jcs/es6-numbers/es6testfile_first10000.txt"), as: UTF8.self)
    var checked = 0
    var mismatches: [String] = []
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: ",", maxSplits: 1)
      let bits = try #require(UInt64(fields[0], radix: 16))
      let expected = String(fields[1])
      let actual = try JSONNumber(Double(bitPattern: bits)).literal
      if actual != expected, mismatches.count < 10 { mismatches.append("\(fields[0]): \(actual) != \(expected)") }
      // And the text parses back to the same double.
      if Double(actual)?.bitPattern != Double(bitPattern: bits).bitPattern && bits != 0x8000_0000_0000_0000 {
        mismatches.append("\(fields[0]): \(actual) does not round-trip")
      }
      checked += 1
    }
    #expect(checked == 10_000)
    #expect(mismatches == [])
  }

  @Test func nonFiniteNumbersHaveNoJSONForm() {
    #expect(throws: JSONError.self) { try JSONNumber(Double.nan) }
    #expect(throws: JSONError.self) { try JSONNumber(Double.infinity) }
    #expect(throws: JSONError.self) { try JCS.canonicalize(json: Array("1e400".utf8), numbers: .roundToDouble) }
  }

  @Test func keysSortByUTF16CodeUnitsNotCodePoints() throws {
    // U+1F602 (surrogates D83D DE02) sorts before U+FB33 in UTF-16, after it by code point.
    let canonical = try JCS.canonicalize(json: Array(#"{"\ufb33":1,"\ud83d\ude02":2}"#.utf8))
    #expect(String(decoding: canonical, as: UTF8.self) == "{\"\u{1F602}\":2,\"\u{FB33}\":1}")
  }

  /// Keys are compared on their UTF-8 bytes with a correction for surrogate pairs: the order must
  /// be UTF-16's for every pair of keys, across ASCII, two-, three- and four-byte characters.
  @Test func keyOrderIsUTF16OrderForEveryPair() throws {
    let pieces = ["", "a", "b", "é", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}", "\u{10000}", "😀"]
    var keys: [String] = []
    for first in pieces { for second in pieces { keys.append(first + second) } }
    keys = Array(Set(keys))
    keys.shuffle()
    var object = JSONObject()
    for key in keys { object[key] = .null }
    let written = try JCS.canonicalize(.object(object))
    let parsed = try #require(try JSONParser().parse(written).objectValue)
    let expected = keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    #expect(parsed.members.map(\.key) == expected)
  }

  @Test func stringsAreNeverNormalized() throws {
    let decomposed = try JCS.canonicalize(.string("A\u{030A}"))
    let composed = try JCS.canonicalize(.string("\u{00C5}"))
    #expect(decomposed != composed)
    #expect(JSONValue.string("A\u{030A}") != JSONValue.string("\u{00C5}"))
    // Two keys that Swift's String == calls equal are different JSON keys.
    let object = try JSONValue(parsing: #"{"A\u030a":1,"\u00c5":2}"#)
    #expect(object.objectValue?.count == 2)
  }
}

@Suite struct JSONParserTests {
  func code(_ text: String, parser: JSONParser = JSONParser()) -> JSONError.Code? {
    code(Array(text.utf8), parser: parser)
  }

  func code(_ bytes: [UInt8], parser: JSONParser = JSONParser()) -> JSONError.Code? {
    do {
      _ = try parser.parse(bytes)
      return nil
    } catch {
      return error.code
    }
  }

  @Test func acceptsJSON() throws {
    let value = try JSONValue(parsing: #" {"a": [1, -0.5e+3, true, false, null, "x\u00e9\n"], "b": {}} "#)
    #expect(value["a"]?.arrayValue?.count == 6)
    #expect(value["a"]?.arrayValue?[1].numberValue?.double == -500)
    #expect(value["a"]?.arrayValue?[5].stringValue == "x\u{e9}\n")
    #expect(value["b"]?.objectValue?.count == 0)
  }

  @Test func numbersKeepTheirExactLiteral() throws {
    let value = try JSONValue(parsing: "[12345678901234567890.123456789, 1.10, 9007199254740993]")
    let numbers = (value.arrayValue ?? []).compactMap { $0.numberValue }
    try #require(numbers.count == 3)
    #expect(numbers.map(\.literal) == ["12345678901234567890.123456789", "1.10", "9007199254740993"])
    #expect(numbers[1] == JSONNumber(literal: "1.1"))
    #expect(numbers[2].int64 == 9_007_199_254_740_993)
    #expect(numbers[1].int64 == nil)
    #expect(JSONNumber(literal: "1e3")?.int64 == 1000)
    #expect(numbers[0].decimal.digits == "12345678901234567890123456789")
    #expect(numbers[0].decimal.exponent == -9)
  }

  @Test func refusesDuplicateKeys() {
    #expect(code(#"{"a":1,"a":2}"#) == .duplicateKey)
    #expect(code(#"{"a":1,"\u0061":2}"#) == .duplicateKey)
    let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
    #expect(code("{\(many),\"k7\":0}") == .duplicateKey)
    #expect(code("{\(many)}") == nil)
  }

  @Test func refusesLoneSurrogates() {
    #expect(code(#""\ud800""#) == .loneSurrogate)
    #expect(code(#""\udc00""#) == .loneSurrogate)
    #expect(code(#""\ud800\u0041""#) == .loneSurrogate)
    #expect(code(#""\ud83d\ude02""#) == nil)
  }

  @Test func refusesInvalidUTF8() {
    #expect(code([0x22, 0xFF, 0x22]) == .invalidUTF8)
    #expect(code([0x22, 0xC3, 0x22]) == .invalidUTF8)  // truncated sequence
    #expect(code([0x22, 0xED, 0xA0, 0x80, 0x22]) == .invalidUTF8)  // an encoded surrogate
    #expect(code([0x22, 0xC0, 0xAF, 0x22]) == .invalidUTF8)  // overlong "/"
    #expect(code([0xEF, 0xBB, 0xBF, 0x31]) == .syntax)  // byte-order mark
  }

  @Test func refusesDeepNesting() {
    let limit = JSONParser.defaultMaximumDepth
    #expect(code(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) == nil)
    #expect(code(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)) == .tooDeep)
    #expect(code(String(repeating: "{\"a\":", count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)) == .tooDeep)
    #expect(code(String(repeating: "[", count: 100_000)) == .tooDeep)
  }

  @Test func refusesOverlongNumbers() {
    #expect(code(String(repeating: "1", count: JSONParser.defaultMaximumNumberLength)) == nil)
    #expect(code(String(repeating: "1", count: JSONParser.defaultMaximumNumberLength + 1)) == .numberTooLong)
  }

  @Test(arguments: [
    "", " ", "01", "1.", ".5", "-", "1e", "+1", "0x10", "NaN", "Infinity", "[1,]", "{\"a\":1,}", "{a:1}", "'a'",
    "[1 2]", "{\"a\" 1}", "\"a", "\"\\x\"", "\"\t\"", "tru", "nul", "1 2", "[] x", "\"\\u12\"",
  ])
  func refusesMalformedText(_ text: String) {
    #expect(code(text) == .syntax, "\(text)")
  }

  @Test func errorsNameTheOffset() {
    do {
      _ = try JSONValue(parsing: #"{"a": [1, 2,, 3]}"#)
      Issue.record("expected an error")
    } catch {
      #expect(error.offset == 12)
      #expect(error.description.contains("at byte 12"))
    }
  }
}
