import Dispatch
import LoamCore
import Synchronization

/// The log's lines from a byte offset in batches of up to 4096, each line parsed into its entry
/// and statement. Another thread reads and parses them up to `depth` batches ahead of the thread
/// that takes them, and frees the batches handed back; the taking thread helps parse only a batch
/// it has caught up with.
///
/// The taking thread applies the state rules of a replay, which all else waits for: when it also
/// parsed each next batch (the reader started on it only as the batch before was taken), that
/// was an eighth of its time in a 1M-entry reindex, while the other core was a quarter idle.
final class ParsedBatches: @unchecked Sendable {
  // @unchecked: `reader` is used by the reading thread only (and closed after it has exited);
  // everything else shared is under `shared`'s lock or a semaphore.
  private var reader: LogReader
  private struct Shared {
    /// Batches read and not yet taken, in log order (their parse may be going on).
    var read: [Result<ParsedBatch, any Error>] = []
    /// Batches taken and handed back, to free.
    var handled: [ParsedBatch] = []
    var stopped = false
  }
  private let shared = Mutex(Shared())
  /// A signal per batch in `read`.
  private let available = DispatchSemaphore(value: 0)
  /// A permit per batch the reader may read before one is taken. (Made empty and given its
  /// permits: libdispatch traps when a semaphore goes with less than it was made with, as this
  /// one does when a caller stops early.)
  private let room = DispatchSemaphore(value: 0)
  private let exited = DispatchSemaphore(value: 0)

  init(_ reader: LogReader, depth: Int = 2) {
    self.reader = reader
    for _ in 0..<max(1, depth) { room.signal() }
    DispatchQueue.global().async { self.readAndParse() }
  }

  /// The next batch, parsed; empty at the end of the log. After the empty batch, or an error,
  /// there is none: call `stop()`.
  func next() throws -> ParsedBatch {
    available.wait()
    let batch = shared.withLock { $0.read.removeFirst() }
    room.signal()
    let parsed = try batch.get()
    if !parsed.lines.isEmpty {
      parsed.work()
      parsed.readerDone.wait()
    }
    return parsed
  }

  /// Hands a taken batch back, to be freed by the reading thread (pass the last reference).
  func handBack(_ batch: ParsedBatch) {
    shared.withLock { $0.handled.append(batch) }
  }

  /// Stops reading, waits for the reading thread, and closes the log. Call it once, last.
  func stop() {
    shared.withLock { $0.stopped = true }
    room.signal()
    exited.wait()
    reader.close()
    // Moved out, so that the other thread's release is the last.
    let left = shared.withLock { shared in
      defer { (shared.read, shared.handled) = ([], []) }
      return (shared.read, shared.handled)
    }
    freeElsewhere(left)
  }

  private func readAndParse() {
    defer { exited.signal() }
    while true {
      room.wait()
      // Taken out under the lock, freed outside it.
      let (stopped, handled) = shared.withLock { shared in
        defer { shared.handled = [] }
        return (shared.stopped, shared.handled)
      }
      _ = consume handled
      if stopped { return }
      let batch = Result { ParsedBatch(try reader.nextBatch(maximum: 4096)) }
      shared.withLock { $0.read.append(batch) }
      available.signal()
      guard case .success(let parsed) = batch, !parsed.lines.isEmpty else { return }
      parsed.work()
      parsed.readerDone.signal()
    }
  }
}

/// A batch of lines parsed in chunks by whichever threads call `work()`; `results` is read once
/// every caller has returned.
final class ParsedBatch: @unchecked Sendable {
  // @unchecked: each chunk's slots are written by the one thread that claimed it; the results
  // are read only after every worker has finished.
  let lines: [ArraySlice<UInt8>]
  private let slots: UnsafeMutableBufferPointer<(Entry, Result<Statement, StatementError>)?>
  private let claims: ChunkClaims
  /// Signalled when the reading thread's `work()` on this batch has returned.
  fileprivate let readerDone = DispatchSemaphore(value: 0)
  private static let chunk = 64

  init(_ lines: [ArraySlice<UInt8>]) {
    self.lines = lines
    claims = ChunkClaims(count: lines.count, chunk: Self.chunk)
    slots = .allocate(capacity: max(lines.count, 1))
    slots.initialize(repeating: nil)
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  func work() {
    claims.forEachClaimed { range in
      for index in range { slots[index] = Ledger.parseLine(lines[index]) }
    }
  }

  /// The parsed lines, valid while this batch lives (not copied: a copy of every entry and
  /// statement, and its release, were a fifth of a replay's applying thread).
  var results: UnsafeBufferPointer<(Entry, Result<Statement, StatementError>)?> {
    UnsafeBufferPointer(rebasing: slots[..<lines.count])
  }
}
