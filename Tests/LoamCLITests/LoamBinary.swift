import Foundation
import Testing

/// Runs the built `loam` executable, as a user would, and captures what it printed.
struct LoamBinary {
  struct Result: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
  }

  /// The `loam` next to the test bundle in the build folder (or `LOAM_BINARY`).
  static let path: String = {
    if let override = ProcessInfo.processInfo.environment["LOAM_BINARY"] { return override }
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // The bundle may be a directory (…/LoamPackageTests.xctest/…) on some platforms.
    while !directory.path.isEmpty && directory.path != "/" {
      let candidate = directory.appendingPathComponent("loam").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return "loam"
  }()

  /// Runs `loam arguments…` in `directory` with extra environment and no terminal; `asNobody`
  /// drops root privileges first (so that file permissions apply).
  static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], asNobody: Bool = false
  ) throws -> Result {
    let process = Process()
    // A new session has no controlling terminal, so a run never stops to prompt for a passphrase
    // even when the tests themselves run in one (Terminal.run tests the prompts).
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    let dropRoot = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    process.arguments = ["--wait"] + (asNobody ? dropRoot : []) + [path] + arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }
}

/// A fresh temporary directory, removed when the value goes.
final class Scratch {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("loam-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// A scratch directory at `url` (a shared fixture's, which no deinit reaches: remove it at exit).
  init(url: URL) throws {
    self.url = url
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func write(_ name: String, _ data: Data) throws { try data.write(to: url.appendingPathComponent(name)) }

  func read(_ name: String) throws -> Data { try Data(contentsOf: url.appendingPathComponent(name)) }

  deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs `openssl`.
func openssl(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: Data) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["openssl"] + arguments
  var env = ProcessInfo.processInfo.environment
  for (key, value) in environment { env[key] = value }
  process.environment = env
  let out = Pipe()
  process.standardOutput = out
  process.standardError = FileHandle.nullDevice
  try process.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, data)
}

/// Hex SHA-256 computed by `sha256sum`, independent of Loam.
func sha256sum(_ data: Data) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["sha256sum"]
  let input = Pipe()
  let out = Pipe()
  process.standardInput = input
  process.standardOutput = out
  try process.run()
  input.fileHandleForWriting.write(data)
  try input.fileHandleForWriting.close()
  let output = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(String(decoding: output, as: UTF8.self).prefix(64))
}
