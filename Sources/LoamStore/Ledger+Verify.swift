import Dispatch
import Glibc
public import LoamCore
import LoamCrypto
public import LoamVerify

/// Verification of the whole ledger directory.
extension Ledger {

  public struct Verification: Sendable {
    public private(set) var findings: [Finding]
    public var state: LedgerState
    public var tornTailBytes: Int
    /// Errors found, including any beyond the listed findings (`verify.findings-unlisted`).
    public var errorCount: Int
    public var isValid: Bool { errorCount == 0 }

    /// Adds findings from further checks (witness cosignatures …), counting their errors.
    public mutating func add(_ more: [Finding]) {
      findings += more
      errorCount += more.filter { $0.severity == .error }.count
    }
  }

  /// Verifies the whole ledger, streaming. `progress` is called with the entries done so far.
  public func verify(options: LogVerifier.Options, progress: ((UInt64) -> Void)? = nil) throws -> Verification {
    // Read the checkpoint first: it is replaced only after the log it covers is on disk, so it
    // never claims more than the log read afterwards.
    let checkpoint = try checkpointBytes()
    let claimed = checkpoint.flatMap { try? Note(parsing: $0) }.flatMap { try? Checkpoint(text: $0.text) }?.size
    var verifier = LogVerifier(options: options, checkpointSize: claimed)
    var reader = try LogReader(path: entriesPath)
    defer { reader.close() }
    while true {
      let lines = try reader.nextBatch(maximum: 2048)
      if lines.isEmpty { break }
      verifier.verify(lines: lines)
      progress?(verifier.entryCount)
    }
    verifier.finish(checkpoint: checkpoint)
    var findings = verifier.findings
    if reader.tornTail > 0 {
      findings.append(
        Finding(
          seq: verifier.entryCount, entryID: nil, code: "log.torn-tail",
          message:
            "the last \(reader.tornTail) bytes are a line without its newline (an interrupted write); the next append cuts them off",
          severity: .warning))
    }
    return Verification(
      findings: findings, state: verifier.state, tornTailBytes: reader.tornTail, errorCount: verifier.errorCount)
  }
}
