import Foundation
import LoamCore
import LoamCrypto
import Testing

/// Validly signed statements that break a rule: `loam submit` refuses them (exit 1) and leaves
/// every file byte for byte as it was; forced into the log by hand, `loam verify` reports them.
@Suite struct RefusalTests {
  let fixture = SupplyChainFixture.shared

  struct Case: CustomStringConvertible, Sendable {
    var name: String
    var statement: String
    var signer: String
    var code: String
    var description: String { name }
  }

  static let time = "2026-11-01T00:00:00Z"
  static let cases: [Case] = [
    Case(
      name: "unauthorised kind",
      statement:
        #"{"kind":"enroll","actor":"grower:a","time":"\#(time)","participant":{"id":"x","name":"X","roles":["grower"],"keys":["KEY"]}}"#,
      signer: "grower-a", code: "policy.unauthorized"),
    Case(
      name: "wrong actor",
      statement:
        #"{"kind":"practice","actor":"grower:b","time":"\#(time)","field":"field:b1","practice":"no-till","period":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}}"#,
      signer: "grower-a", code: "sig.not-actor"),
    Case(
      name: "unknown key",
      statement:
        #"{"kind":"practice","actor":"grower:a","time":"\#(time)","field":"field:a1","practice":"no-till","period":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}}"#,
      signer: "stranger", code: "sig.unknown-key"),
    Case(
      name: "revoked key",
      statement:
        #"{"kind":"practice","actor":"grower:b","time":"\#(time)","field":"field:b1","practice":"no-till","period":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}}"#,
      signer: "grower-b", code: "sig.revoked-key"),
    Case(
      name: "lot overdrawn",
      statement: #"{"kind":"sell","actor":"winery:w","time":"\#(time)","lot":"MUST-1","quantity":{"value":1000,"uom":"LTR"}}"#,
      signer: "winery-new", code: "state.overdrawn"),
    Case(
      name: "receiving more than shipped",
      statement:
        #"{"kind":"receive","actor":"winery:w","time":"\#(time)","shipment":"SHIPMENT","quantity":{"value":1,"uom":"KGM"}}"#,
      signer: "winery-new", code: "state.over-received"),
    Case(
      name: "shipping a lot not held",
      statement:
        #"{"kind":"ship","actor":"grower:a","time":"\#(time)","lot":"LOT-B1","quantity":{"value":1,"uom":"KGM"},"to":"winery:w"}"#,
      signer: "grower-a", code: "state.not-custodian"),
    Case(
      name: "harvesting another's field",
      statement:
        #"{"kind":"harvest","actor":"grower:a","time":"\#(time)","field":"field:b1","lot":"LOT-X","product":"grapes","quantity":{"value":1,"uom":"KGM"}}"#,
      signer: "grower-a", code: "policy.unauthorized"),
    Case(
      name: "duplicate lot",
      statement:
        #"{"kind":"harvest","actor":"grower:a","time":"\#(time)","field":"field:a1","lot":"LOT-B1","product":"grapes","quantity":{"value":1,"uom":"KGM"}}"#,
      signer: "grower-a", code: "state.duplicate-lot"),
    Case(
      name: "unknown kind", statement: #"{"kind":"teleport","actor":"grower:a","time":"\#(time)","lot":"LOT-A1"}"#,
      signer: "grower-a", code: "statement.unknown-kind"),
    Case(
      name: "time going backwards",
      statement:
        #"{"kind":"sell","actor":"grower:a","time":"2020-01-01T00:00:00Z","lot":"LOT-A1","quantity":{"value":1,"uom":"KGM"}}"#,
      signer: "grower-a", code: "state.time-before-cause"),
    Case(
      name: "time in the future",
      statement:
        #"{"kind":"sell","actor":"grower:a","time":"2199-01-01T00:00:00Z","lot":"LOT-A1","quantity":{"value":1,"uom":"KGM"}}"#,
      signer: "grower-a", code: "statement.future-time"),
  ]

  func envelope(for testCase: Case) throws -> DSSEEnvelope {
    let key =
      testCase.signer == "stranger" ? try PrivateKey.generate() : try KeyFile.readPrivateKey(fixture.key(testCase.signer))
    var text = testCase.statement.replacingOccurrences(
      of: "KEY", with: try PrivateKey.generate().publicKey.pem.replacingOccurrences(of: "\n", with: "\\n"))
    if text.contains("SHIPMENT") {
      let ship = try LoamBinary.run(["log", "--ledger", fixture.ledger, "--kind", "ship", "--json"])
      let object = try #require(
        JSONSerialization.jsonObject(with: Data(ship.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])
      text = text.replacingOccurrences(of: "SHIPMENT", with: try #require(object["id"] as? String))
    }
    let payload = try JCS.canonicalize(JSONValue(parsing: text))
    return try DSSEEnvelope(payload: payload, signedBy: [key])
  }

  @Test(arguments: cases)
  func submitRefusesAndVerifyReports(_ testCase: Case) throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let envelope = try envelope(for: testCase)
    try Data(envelope.canonicalJSON).write(to: URL(fileURLWithPath: scratch.path("envelope.json")))
    let before = try snapshot(ledger)
    let result = try LoamBinary.run([
      "submit", "--ledger", ledger, "--log-key", fixture.key("log"), scratch.path("envelope.json"),
    ])
    #expect(result.status == 1, "\(testCase): \(result)")
    #expect(result.stderr.contains(testCase.code), "\(testCase): \(result)")
    #expect(result.stderr.contains("nothing was written"))
    let after = try snapshot(ledger)
    #expect(after == before, "\(testCase): changed \(changedFiles(before, after))")

    // Forced into the log by hand, with a correct chain: verify names it.
    let entries = try lines(of: ledger)
    let last = try Entry(line: [UInt8](entries.last!))
    let forced = Entry(seq: last.seq + 1, logged: Timestamp("2099-01-01T00:00:00Z")!, prev: last.id, envelope: envelope)
    try write(lines: entries + [Data(forced.line)], to: ledger)
    let verify = try LoamBinary.run(["verify", "--ledger", ledger, "--json"])
    #expect(verify.status == 1, "\(testCase): \(verify)")
    let report = try #require(JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
    let findings = (report["findings"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "error" }
    #expect(findings.first?["code"] as? String == testCase.code, "\(testCase): \(verify.stdout)")
    #expect(findings.first?["seq"] as? Int == SupplyChainFixture.entryCount, "\(testCase)")
  }
}

/// Unusable input: one clear sentence, exit 2, and the ledger directory unchanged.
@Suite struct BadInputTests {
  let fixture = SupplyChainFixture.shared

  func expectUnchanged(_ arguments: [String], mentions: String, environment: [String: String] = [:], asNobody: Bool = false)
    throws
  {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let before = try snapshot(ledger)
    let args = arguments.map {
      $0.replacingOccurrences(of: "LEDGER", with: ledger).replacingOccurrences(of: "SCRATCH", with: scratch.url.path)
    }
    try Data("{not json".utf8).write(to: URL(fileURLWithPath: scratch.path("bad.json")))
    try Data(
      #"{"kind":"harvest","actor":"grower:a","time":"2026-11-01T00:00:00Z","field":"field:a1","lot":"L9","product":"grapes"}"#
        .utf8
    )
    .write(to: URL(fileURLWithPath: scratch.path("missing.json")))
    let result = try LoamBinary.run(args, environment: environment, asNobody: asNobody)
    #expect(result.status == 2, "\(args): \(result)")
    #expect(result.stderr.contains(mentions), "\(args): \(result)")
    #expect(result.stderr.hasPrefix("loam: ") || result.stderr.hasPrefix("Error: "), "\(args): \(result)")
    #expect(!result.stderr.contains("Fatal error"))
    #expect(try snapshot(ledger) == before, "\(args)")
  }

  @Test func malformedJSON() throws {
    try expectUnchanged(
      ["append", "--ledger", "LEDGER", "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "SCRATCH/bad.json"],
      mentions: "not valid JSON")
  }

  @Test func missingField() throws {
    try expectUnchanged(
      [
        "append", "--ledger", "LEDGER", "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "SCRATCH/missing.json",
      ], mentions: "$.quantity")
  }

  @Test func wrongKeys() throws {
    try expectUnchanged(
      [
        "append", "sell", "--ledger", "LEDGER", "--key", "SCRATCH/bad.json", "--log-key", fixture.key("log"), "--lot", "LOT-A1",
        "--quantity", "1", "--uom", "KGM",
      ],
      mentions: "bad.json")
    // A log key that is not the ledger's.
    try expectUnchanged(
      [
        "append", "sell", "--ledger", "LEDGER", "--key", fixture.key("grower-a"), "--log-key", fixture.key("grower-b"), "--lot",
        "LOT-A1", "--quantity", "1", "--uom", "KGM",
      ],
      mentions: "log key")
  }

  @Test func missingLedger() throws {
    try expectUnchanged(
      [
        "append", "sell", "--ledger", "SCRATCH/nowhere", "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"),
        "--lot", "LOT-A1", "--quantity", "1", "--uom", "KGM",
      ],
      mentions: "no ledger")
    try expectUnchanged(["verify", "--ledger", "SCRATCH/nowhere"], mentions: "no ledger")
  }

  /// Another writer (util-linux flock) holding the ledger's lock for `seconds`; returns once it holds it.
  static func holdLock(of ledger: String, seconds: String) throws -> Process {
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    holder.arguments = [ledger + "/lock", "sleep", seconds]
    try holder.run()
    for _ in 0..<500 {
      let probe = Process()
      probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
      probe.arguments = ["-n", ledger + "/lock", "true"]
      try probe.run()
      probe.waitUntilExit()
      if probe.terminationStatus != 0 { break }
      usleep(10_000)
    }
    return holder
  }

  /// The ledger's directory is moved away while an append waits for the lock: the append fails
  /// cleanly (exit 2, one sentence), the moved ledger is unchanged, and once it is back the next
  /// append succeeds.
  @Test func aLedgerThatDisappearsMidAppend() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let holder = try Self.holdLock(of: ledger, seconds: "1.5")
    let before = try snapshot(ledger)
    let append = [
      "append", "sell", "--ledger", ledger, "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "--lot",
      "LOT-A1", "--quantity", "1", "--uom", "KGM",
    ]
    let waiting = Process()
    waiting.executableURL = URL(fileURLWithPath: LoamBinary.path)
    waiting.arguments = append
    let err = Pipe()
    waiting.standardError = err
    waiting.standardOutput = FileHandle.nullDevice
    try waiting.run()
    usleep(400_000)  // it has opened the lock and waits for it
    try FileManager.default.moveItem(atPath: ledger, toPath: scratch.path("moved"))
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    waiting.waitUntilExit()
    holder.waitUntilExit()
    #expect(waiting.terminationStatus == 2, "\(stderr)")
    #expect(stderr.contains("is not there (was the ledger directory moved, removed or unmounted?)"), "\(stderr)")
    #expect(try snapshot(scratch.path("moved")) == before)
    try FileManager.default.moveItem(atPath: scratch.path("moved"), toPath: ledger)
    #expect(try LoamBinary.run(append).status == 0)
    #expect(try LoamBinary.run(["verify", "--ledger", ledger]).status == 0)
  }

  @Test func lockedLedger() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    // Another writer holds the lock (util-linux flock) while we try to append.
    let holder = try Self.holdLock(of: ledger, seconds: "5")
    defer { holder.terminate() }
    let before = try snapshot(ledger)
    let result = try LoamBinary.run(
      [
        "append", "sell", "--ledger", ledger, "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "--lot",
        "LOT-A1", "--quantity", "1", "--uom", "KGM",
      ],
      environment: ["LOAM_LOCK_TIMEOUT": "0.2"])
    #expect(result.status == 2, "\(result)")
    #expect(result.stderr.contains("locked by another writer"))
    #expect(try snapshot(ledger) == before)
    // Readers never block.
    #expect(try LoamBinary.run(["verify", "--ledger", ledger]).status == 0)
  }

  /// A full disk, simulated with a file-size limit: the append fails with exit 2 and says what
  /// to do, the log and checkpoint are unchanged, and the same append succeeds once it is lifted.
  @Test func aFileSizeLimitFailsCleanlyAndTheNextAppendSucceeds() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let observation = #"{"note":"\#(String(repeating: "y", count: 20_000))"}"#
    let append = [
      "append", "observe", "--ledger", ledger, "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "--lot",
      "LOT-A1", "--observation", observation,
    ]
    // Grow the log past the derived state's files, so the limit bites on the log's write.
    for _ in 0..<4 { #expect(try LoamBinary.run(append).status == 0) }
    let log = try Data(contentsOf: URL(fileURLWithPath: ledger + "/entries.jsonl"))
    let checkpoint = try Data(contentsOf: URL(fileURLWithPath: ledger + "/checkpoint"))

    let limited = Process()
    limited.executableURL = URL(fileURLWithPath: "/bin/bash")
    // The signal a write past the limit raises is restored to its default (the test runner may
    // ignore it), so loam itself must ignore it to fail cleanly instead of dying mid-append.
    let limit = "\((log.count + 1023) / 1024)"
    limited.arguments =
      ["-c", #"ulimit -f "$1"; shift; exec "$@""#, "bash", limit, "/usr/bin/env", "--default-signal=XFSZ", LoamBinary.path]
      + append
    let err = Pipe()
    limited.standardError = err
    limited.standardOutput = FileHandle.nullDevice
    try limited.run()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    limited.waitUntilExit()
    #expect(limited.terminationReason == .exit && limited.terminationStatus == 2, "\(limited.terminationStatus): \(stderr)")
    #expect(stderr.contains("file-size limit") && stderr.contains("ulimit -f"), "\(stderr)")
    #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: ledger + "/entries.jsonl")) == log)
    #expect(try Data(contentsOf: URL(fileURLWithPath: ledger + "/checkpoint")) == checkpoint)

    #expect(try LoamBinary.run(append).status == 0)
    #expect(try lines(of: ledger).count == SupplyChainFixture.entryCount + 5)
    #expect(try LoamBinary.run(["verify", "--strict", "--ledger", ledger]).status == 0)
  }

  static func mountTmpfs(_ path: String, kilobytes: Int, remount: Bool = false) -> Bool {
    let mount = Process()
    mount.executableURL = URL(fileURLWithPath: "/bin/mount")
    mount.arguments = ["-t", "tmpfs", "-o", (remount ? "remount," : "") + "size=\(kilobytes)k", "tmpfs", path]
    mount.standardError = FileHandle.nullDevice
    guard (try? mount.run()) != nil else { return false }
    mount.waitUntilExit()
    return mount.terminationStatus == 0
  }

  static let canMountTmpfs: Bool = {
    guard getuid() == 0, let probe = try? Scratch() else { return false }
    let path = probe.path("probe")
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard mountTmpfs(path, kilobytes: 64) else { return false }
    _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: [path]).waitUntilExit()
    return true
  }()

  /// A really full disk: the ledger on a tmpfs with almost no room. The append fails with exit 2
  /// and says what to do, the log and checkpoint are unchanged, and once there is room the same
  /// append succeeds.
  @Test(.enabled(if: canMountTmpfs, "needs root and permission to mount a tmpfs"))
  func aFullDiskFailsCleanlyAndTheNextAppendSucceeds() throws {
    let scratch = try fixture.copy()
    let mountPoint = scratch.path("disk")
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    var used = 0
    for file in try FileManager.default.contentsOfDirectory(atPath: scratch.path("ledger")) {
      used += (try FileManager.default.attributesOfItem(atPath: scratch.path("ledger/\(file)"))[.size] as? Int) ?? 0
    }
    #expect(Self.mountTmpfs(mountPoint, kilobytes: used / 1024 + 24))
    defer { _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: ["-l", mountPoint]).waitUntilExit() }
    let ledger = mountPoint + "/ledger"
    try FileManager.default.copyItem(atPath: scratch.path("ledger"), toPath: ledger)
    let observation = #"{"note":"\#(String(repeating: "z", count: 30_000))"}"#
    let append = [
      "append", "observe", "--ledger", ledger, "--key", fixture.key("grower-a"), "--log-key", fixture.key("log"), "--lot",
      "LOT-A1", "--observation", observation,
    ]
    var failed: LoamBinary.Result? = nil
    for _ in 0..<8 {
      let log = try Data(contentsOf: URL(fileURLWithPath: ledger + "/entries.jsonl"))
      let checkpoint = try Data(contentsOf: URL(fileURLWithPath: ledger + "/checkpoint"))
      let result = try LoamBinary.run(append)
      if result.status != 0 {
        #expect(result.status == 2, "\(result)")
        // The log's write or the derived state's, whichever meets the full disk first.
        #expect(
          result.stderr.contains("no space left on the device") || result.stderr.contains("disk is full; free disk space"),
          "\(result)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger + "/entries.jsonl")) == log)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger + "/checkpoint")) == checkpoint)
        failed = result
        break
      }
    }
    #expect(failed != nil, "the tmpfs never filled up")
    let entries = try lines(of: ledger).count
    #expect(Self.mountTmpfs(mountPoint, kilobytes: used / 1024 + 4096, remount: true))
    #expect(try LoamBinary.run(append).status == 0)
    #expect(try lines(of: ledger).count == entries + 1)
    #expect(try LoamBinary.run(["verify", "--strict", "--ledger", ledger]).status == 0)
  }

  @Test func readOnlyDirectory() throws {
    let scratch = try fixture.copy()
    let ledger = scratch.path("ledger")
    let asNobody = getuid() == 0
    // Copies of the keys the unprivileged user may read.
    for name in ["grower-a", "log"] {
      try FileManager.default.copyItem(atPath: fixture.key(name), toPath: scratch.path("\(name).pem"))
      if asNobody { try FileManager.default.setAttributes([.ownerAccountID: 65534], ofItemAtPath: scratch.path("\(name).pem")) }
    }
    if !asNobody { try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ledger) }
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ledger) }
    let before = try snapshot(ledger)
    let result = try LoamBinary.run(
      [
        "append", "sell", "--ledger", ledger, "--key", scratch.path("grower-a.pem"), "--log-key", scratch.path("log.pem"),
        "--lot", "LOT-A1", "--quantity", "1", "--uom", "KGM",
      ],
      asNobody: asNobody)
    #expect(result.status == 2, "\(result)")
    #expect(result.stderr.contains("permission denied"), "\(result)")
    #expect(try snapshot(ledger) == before)
  }
}
