// loam-bench: LoamCrypto's signing, verifying and hashing rates beside `openssl speed` on the
// same machine in the same run, and the ratios. Build and run in release:
//   swift run -c release loam-bench [--seconds S]
import Dispatch
import Foundation
import LoamCrypto

struct Options {
  var seconds = 3.0
  var openssl = true

  init(_ arguments: [String]) {
    var iterator = arguments.dropFirst().makeIterator()
    while let argument = iterator.next() {
      switch argument {
      case "--seconds":
        guard let value = iterator.next().flatMap(Double.init), value > 0 else { usage() }
        seconds = value
      case "--no-openssl": openssl = false
      case "-h", "--help": usage(status: 0)
      default: usage()
      }
    }
  }

  func usage(status: Int32 = 2) -> Never {
    FileHandle.standardError.write(
      Data(
        """
        usage: loam-bench [--seconds S] [--no-openssl]
          Prints ops/s of Ed25519 and ECDSA P-256 sign/verify and SHA-256 of 300-byte messages
          on 1 and 2 threads, beside `openssl speed` run in the same process tree, and the ratios.

        """.utf8))
    exit(status)
  }
}

/// Runs `operation` on `threads` threads for `seconds` and returns the total rate.
func measure(threads: Int, seconds: Double, _ operation: @escaping @Sendable () -> Void) -> Double {
  let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
  counts.initialize(repeating: 0)
  defer { counts.deallocate() }
  nonisolated(unsafe) let shared = counts
  let start = DispatchTime.now().uptimeNanoseconds
  let deadline = start + UInt64(seconds * 1e9)
  DispatchQueue.concurrentPerform(iterations: threads) { worker in
    var done = 0
    repeat {
      for _ in 0..<16 { operation() }
      done += 16
    } while DispatchTime.now().uptimeNanoseconds < deadline
    shared[worker] = done
  }
  let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  return Double(counts.reduce(0, +)) / elapsed
}

/// Runs `openssl speed` with `arguments` and returns its output.
func opensslSpeed(_ arguments: [String]) -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["openssl", "speed"] + arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  do { try process.run() } catch { return "" }
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(decoding: data, as: UTF8.self)
}

/// Parses the sign/s and verify/s columns of the line naming `algorithm`.
func signVerifyRates(_ output: String, line marker: String) -> (sign: Double, verify: Double)? {
  for line in output.split(separator: "\n") where line.contains(marker) {
    let numbers = line.split(separator: " ").compactMap { Double($0) }
    if numbers.count >= 2 { return (numbers[numbers.count - 2], numbers[numbers.count - 1]) }
  }
  return nil
}

/// Parses `sha256  N.NNk` (thousands of bytes per second) into hashes per second.
func hashRate(_ output: String, bytes: Double) -> Double? {
  for line in output.split(separator: "\n") where line.hasPrefix("sha256") {
    if let field = line.split(separator: " ").last, field.hasSuffix("k"), let kilobytes = Double(field.dropLast()) {
      return kilobytes * 1000 / bytes
    }
  }
  return nil
}

let options = Options(CommandLine.arguments)
let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }

struct Row {
  var name: String
  var threads: Int
  var loam: Double
  var openssl: Double?
}

var rows: [Row] = []
var oneCore: [String: Double] = [:]

print("Measuring LoamCrypto (\(options.seconds) s per figure)…")
for algorithm in SignatureAlgorithm.allCases {
  let key = try PrivateKey.generate(algorithm)
  let publicKey = key.publicKey
  let signature = try key.signature(for: message)
  for threads in [1, 2] {
    let sign = measure(threads: threads, seconds: options.seconds) { _ = try? key.signature(for: message) }
    let verify = measure(threads: threads, seconds: options.seconds) {
      precondition(publicKey.isValidSignature(signature, for: message))
    }
    rows.append(Row(name: "\(algorithm) sign", threads: threads, loam: sign))
    rows.append(Row(name: "\(algorithm) verify", threads: threads, loam: verify))
  }
}
for threads in [1, 2] {
  let rate = measure(threads: threads, seconds: options.seconds) { _ = SHA256.hash(message) }
  rows.append(Row(name: "sha256 300 B", threads: threads, loam: rate))
}

if options.openssl {
  print("Measuring openssl speed (same run)…")
  let seconds = String(Int(options.seconds.rounded(.up)))
  for threads in [1, 2] {
    let multi = threads == 1 ? [] : ["-multi", "2"]
    let signatures = opensslSpeed(["-seconds", seconds] + multi + ["ed25519", "ecdsap256"])
    let hashes = opensslSpeed(["-seconds", seconds] + multi + ["-bytes", "300", "-evp", "sha256"])
    let ed = signVerifyRates(signatures, line: "Ed25519")
    let ec = signVerifyRates(signatures, line: "nistp256")
    let sha = hashRate(hashes, bytes: 300)
    for index in rows.indices where rows[index].threads == threads {
      switch rows[index].name {
      case "ed25519 sign": rows[index].openssl = ed?.sign
      case "ed25519 verify": rows[index].openssl = ed?.verify
      case "ecdsa-p256-sha256 sign": rows[index].openssl = ec?.sign
      case "ecdsa-p256-sha256 verify": rows[index].openssl = ec?.verify
      case "sha256 300 B": rows[index].openssl = sha
      default: break
      }
    }
  }
}

for row in rows where row.threads == 1 { oneCore[row.name] = row.loam }

func pad(_ text: String, _ width: Int) -> String {
  text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
func padLeft(_ text: String, _ width: Int) -> String {
  text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}
func rate(_ value: Double) -> String { String(Int(value.rounded())) }

print("")
print(
  "| \(pad("operation", 26)) | threads | \(padLeft("loam ops/s", 11)) | \(padLeft("openssl ops/s", 13)) | loam/openssl | 2-thread/1-thread |"
)
print("|\(String(repeating: "-", count: 28))|---------|-------------|---------------|--------------|-------------------|")
for row in rows {
  let ratio = row.openssl.map { String(format: "%.2fx", row.loam / $0) } ?? "n/a"
  let scaling = row.threads == 2 ? String(format: "%.2fx", row.loam / (oneCore[row.name] ?? .nan)) : ""
  print(
    "| \(pad(row.name, 26)) | \(padLeft(String(row.threads), 7)) | \(padLeft(rate(row.loam), 11)) | \(padLeft(row.openssl.map(rate) ?? "n/a", 13)) | \(padLeft(ratio, 12)) | \(padLeft(scaling, 17)) |"
  )
}
