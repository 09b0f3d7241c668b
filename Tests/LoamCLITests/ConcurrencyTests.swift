import Foundation
import Testing

/// Several `loam` processes on one ledger at once: the lock serialises writers (none lost, no
/// lot over-shipped by a check-then-append race), readers see a consistent prefix, and a lock
/// left by a killed process does not block the next writer.
@Suite struct ConcurrencyTests {
  /// Runs `script` with bash in `directory`; the environment points `loam` at the fixture's keys.
  func bash(_ script: String, in directory: URL) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["LOAM"] = LoamBinary.path
    environment["LOAM_LEDGER"] = directory.appendingPathComponent("ledger").path
    environment["LOAM_LOG_KEY"] = SupplyChainFixture.shared.key("log")
    environment["KEYS"] = SupplyChainFixture.shared.keys
    environment["LOAM_LOCK_TIMEOUT"] = "120"
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  @Test func writersAreSerialisedAndReadersSeeAPrefix() throws {
    let scratch = try SupplyChainFixture.shared.copy()
    // grower:a still holds 200 KGM of LOT-A1. Four writers try to ship 8 × 10 KGM each (320 KGM):
    // exactly 20 shipments fit, and every other attempt is refused for the balance (exit 1), never
    // timed out on the lock or lost.
    let writers = try (1...4).map { writer in
      try bash(
        """
        for attempt in $(seq 1 8); do
          "$LOAM" append ship --key "$KEYS/grower-a.pem" --lot LOT-A1 --to winery:w --quantity 10 --uom KGM \\
            --ref "w\(writer)-$attempt" --json > "out-\(writer)-$attempt" 2> "err-\(writer)-$attempt"
          echo $? > "status-\(writer)-$attempt"
        done
        """, in: scratch.url)
    }
    // Two readers verify and trace while the writers run; every run must succeed.
    let readers = try ["verify --strict", "trace LOT-A1 --json"].enumerated().map { index, command in
      try bash(
        """
        runs=0
        while [ ! -e writers-done ] || [ $runs -lt 3 ]; do
          "$LOAM" \(command) > "reader-\(index).out" 2> "reader-\(index).err" || exit 1
          runs=$((runs + 1))
        done
        echo $runs > "reader-\(index).runs"
        """, in: scratch.url)
    }
    for writer in writers { writer.waitUntilExit() }
    try Data().write(to: scratch.url.appendingPathComponent("writers-done"))
    for (index, reader) in readers.enumerated() {
      reader.waitUntilExit()
      let error = (try? String(decoding: scratch.read("reader-\(index).err"), as: UTF8.self)) ?? ""
      #expect(reader.terminationStatus == 0, "reader \(index) failed during appends: \(error)")
    }

    var appended = 0
    var refused = 0
    for writer in 1...4 {
      for attempt in 1...8 {
        let status = String(decoding: try scratch.read("status-\(writer)-\(attempt)"), as: UTF8.self)
        let error = String(decoding: try scratch.read("err-\(writer)-\(attempt)"), as: UTF8.self)
        switch status.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "0": appended += 1
        case "1":
          refused += 1
          // Overdrawn while some is left; not the custodian once all 200 KGM have gone.
          let balance = error.contains("state.overdrawn") || error.contains("state.not-custodian")
          #expect(balance && error.contains("LOT-A1"), "writer \(writer) attempt \(attempt): \(error)")
        default: Issue.record("writer \(writer) attempt \(attempt) exited \(status): \(error)")
        }
      }
    }
    #expect(appended == 20 && refused == 12, "appended \(appended), refused \(refused)")
    #expect(try lines(of: scratch.path("ledger")).count == SupplyChainFixture.entryCount + 20)
    let verified = try LoamBinary.run(["verify", "--strict", "--ledger", scratch.path("ledger")])
    #expect(verified.status == 0, "\(verified)")
    // Nothing left to ship: one more is refused for the balance.
    let more = try LoamBinary.run(
      [
        "append", "ship", "--key", SupplyChainFixture.shared.key("grower-a"), "--lot", "LOT-A1", "--to", "winery:w", "--quantity",
        "1", "--uom", "KGM", "--ledger", scratch.path("ledger"),
      ],
      environment: ["LOAM_LOG_KEY": SupplyChainFixture.shared.key("log")])
    #expect(more.status == 1 && more.stderr.contains("state.not-custodian"), "\(more)")
  }

  @Test func aLockHeldByAKilledWriterDoesNotBlockTheNext() throws {
    let scratch = try SupplyChainFixture.shared.copy()
    // A process takes the writer lock the way loam does (flock) and is killed with SIGKILL.
    let holder = try bash(
      """
      exec 9>>ledger/lock
      flock -x 9
      touch locked
      exec sleep 600
      """, in: scratch.url)
    while !FileManager.default.fileExists(atPath: scratch.path("locked")) { usleep(10_000) }
    let blocked = try LoamBinary.run(
      [
        "append", "observe", "--key", SupplyChainFixture.shared.key("grower-a"), "--lot", "LOT-A1", "--observation", "{}",
        "--ledger", scratch.path("ledger"),
      ],
      environment: ["LOAM_LOG_KEY": SupplyChainFixture.shared.key("log"), "LOAM_LOCK_TIMEOUT": "0.2"])
    #expect(blocked.status == 2 && blocked.stderr.contains("locked by another writer"), "\(blocked)")
    kill(holder.processIdentifier, SIGKILL)
    holder.waitUntilExit()
    #expect(FileManager.default.fileExists(atPath: scratch.path("ledger/lock")))
    let next = try LoamBinary.run(
      [
        "append", "observe", "--key", SupplyChainFixture.shared.key("grower-a"), "--lot", "LOT-A1", "--observation", "{}",
        "--ledger", scratch.path("ledger"),
      ],
      environment: ["LOAM_LOG_KEY": SupplyChainFixture.shared.key("log"), "LOAM_LOCK_TIMEOUT": "0.2"])
    #expect(next.status == 0, "\(next)")
    #expect(try lines(of: scratch.path("ledger")).count == SupplyChainFixture.entryCount + 1)
  }
}
