import Glibc
public import LoamCore
public import LoamCrypto
import LoamVerify

/// Reading entries back.
extension Ledger {
  /// Visits every complete entry line in order (a torn last line is skipped).
  public func forEachLine(_ body: (UInt64, ArraySlice<UInt8>) throws -> Bool) throws {
    var reader = try LogReader(path: entriesPath)
    defer { reader.close() }
    var seq: UInt64 = 0
    while true {
      let lines = try reader.nextBatch(maximum: 4096)
      if lines.isEmpty { return }
      for line in lines {
        if try !body(seq, line) { return }
        seq += 1
      }
    }
  }

  /// One entry as read back, its statement parsed (nil when the payload is not a valid statement).
  public struct ReadEntry: Sendable {
    public var seq: UInt64
    public var entry: Entry
    public var statement: Statement?
  }

  /// Visits the log in batches of up to 4096 entries (`forEachParsedBatch`); lines that are not
  /// entries are skipped (`loam verify` reports them).
  public func forEachEntryBatch(_ body: ([ReadEntry]) throws -> Void) throws {
    var seq: UInt64 = 0
    try forEachParsedBatch(from: 0) { lines, parsed in
      var batch: [ReadEntry] = []
      batch.reserveCapacity(lines.count)
      for (offset, item) in parsed.enumerated() {
        guard let (entry, statement) = item else { continue }
        batch.append(ReadEntry(seq: seq + UInt64(offset), entry: entry, statement: try? statement.get()))
      }
      seq += UInt64(lines.count)
      try body(batch)
    }
  }

  /// The entry at `seq`, or nil.
  public func readEntry(seq target: UInt64) throws -> Entry? {
    var found: Entry? = nil
    try forEachLine { seq, line in
      if seq == target {
        found = try Entry(line: Array(line))
        return false
      }
      return true
    }
    return found
  }

  /// Reads entries back by seq: directly at their recorded place when the state has a trace
  /// index (the entry's own seq must match), else by scanning.
  public func entryReader(for state: LedgerState) -> (UInt64) -> Entry? {
    let file = LineFile(path: entriesPath)
    return { [self] seq in
      if let location = state.trace?.locations[seq], let line = file.read(location),
        let entry = try? Entry(line: line), entry.seq == seq
      {
        return entry
      }
      return try? readEntry(seq: seq)
    }
  }

  /// Rebuilds the derived state and trace index from the log (under the writers' lock).
  /// Returns the number of entries indexed.
  public func reindex(lockTimeout: Double = Ledger.defaultLockTimeout) throws -> UInt64 {
    let lock = try LedgerLock(path: lockPath, timeout: lockTimeout)
    defer { _ = lock }
    let size = try recoverTornTail()
    let (_, state, _) = try rebuiltState(logBytes: size)
    return state.size
  }

  /// The current checkpoint note's bytes.
  public func checkpointBytes() throws -> [UInt8]? { try FileIO.readFile(checkpointPath) }
}

/// The log file held open for reading lines at known places.
final class LineFile: @unchecked Sendable {
  // @unchecked: the descriptor is only read with pread, which is safe from any thread.
  private let descriptor: Int32

  init(path: String) { descriptor = open(path, O_RDONLY | O_CLOEXEC) }

  deinit { if descriptor >= 0 { close(descriptor) } }

  func read(_ location: EntryLocation) -> [UInt8]? {
    guard descriptor >= 0, location.length > 0 else { return nil }
    var line = [UInt8](repeating: 0, count: location.length)
    let count = line.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, location.length, off_t(location.offset)) }
    return count == location.length ? line : nil
  }
}

extension Ledger {
  /// The leaf hashes (entry ids) of the first `count` entries (all when nil), read from the log.
  public func leafHashes(count: UInt64? = nil) throws -> [SHA256Digest] {
    var leaves: [SHA256Digest] = []
    try forEachLine { seq, line in
      if let count, seq >= count { return false }
      leaves.append(MerkleHash.leaf(line))
      return true
    }
    return leaves
  }
}
