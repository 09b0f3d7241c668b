// loam-bench-parse: how long each step of reading a log line takes on one core (the steps every
// verify, submit, reindex and import repeats per entry). Build and run in release:
//   swift run -c release loam-bench-parse LEDGER/entries.jsonl [--lines N] [--rounds R] [--only STEP]
import Dispatch
import Foundation
import LoamCore
import LoamCrypto

var arguments = CommandLine.arguments.dropFirst()
var path: String?
var lineLimit = 100_000
var rounds = 3
var only: String?
while let argument = arguments.popFirst() {
  switch argument {
  case "--lines": lineLimit = arguments.popFirst().flatMap { Int($0) } ?? lineLimit
  case "--rounds": rounds = arguments.popFirst().flatMap { Int($0) } ?? rounds
  case "--only": only = arguments.popFirst()
  case "-h", "--help":
    print("usage: loam-bench-parse ENTRIES.jsonl [--lines N] [--rounds R] [--only STEP]")
    exit(0)
  default: path = argument
  }
}
guard let path, let data = FileManager.default.contents(atPath: path) else {
  FileHandle.standardError.write(Data("usage: loam-bench-parse ENTRIES.jsonl [--lines N] [--rounds R] [--only STEP]\n".utf8))
  exit(2)
}
let lines = data.split(separator: 0x0A, maxSplits: lineLimit, omittingEmptySubsequences: true).prefix(lineLimit).map {
  [UInt8]($0)
}
let entries = lines.compactMap { try? Entry(line: $0) }
let payloads = entries.map(\.envelope.payload)
let trees = payloads.compactMap { try? JSONValue(parsing: $0) }
let statements = trees.compactMap { try? Statement(json: $0) }
print("\(lines.count) lines, \(statements.count) statements; best of \(rounds) rounds, one core")

/// Runs `body` over every item `rounds` times and prints the best time per item.
@MainActor func step<T>(_ name: String, _ items: [T], _ body: (T) -> Void) {
  if let only, !name.contains(only) { return }
  var best = Double.infinity
  for _ in 0..<rounds {
    let start = DispatchTime.now().uptimeNanoseconds
    for item in items { body(item) }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / Double(items.count))
  }
  print("\(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%7.2f", best / 1000)) µs")
}

step("entry line → Entry", lines) { _ = try? Entry(line: $0) }
step("payload → JSONValue", payloads) { _ = try? JSONValue(parsing: $0) }
step("JSONValue → Statement", trees) { _ = try? Statement(json: $0) }
step("payload → Statement", payloads) { _ = try? Statement(payload: $0) }
step("Statement → canonical payload", statements) { _ = try? $0.canonicalPayload() }
step("line → Entry + Statement", lines) { line in
  if let entry = try? Entry(line: line) { _ = try? Statement(payload: entry.envelope.payload) }
}
