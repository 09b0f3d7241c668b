import Synchronization

/// Hands out a batch's indices a few at a time to whichever threads ask, in order, so the
/// threads working on one batch finish together (the last claim running alone leaves the other
/// cores idle for its length).
public final class ChunkClaims: Sendable {
  private let next = Mutex(0)
  private let count: Int
  private let chunk: Int

  public init(count: Int, chunk: Int) {
    self.count = count
    self.chunk = max(1, chunk)
  }

  /// Calls `body` with each range this thread claims, until none is left.
  public func forEachClaimed(_ body: (Range<Int>) -> Void) {
    while true {
      let start = next.withLock { next in
        defer { next += chunk }
        return next
      }
      guard start < count else { return }
      body(start..<min(count, start + chunk))
    }
  }
}
