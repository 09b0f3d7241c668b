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
    while let range = claim() { body(range) }
  }

  /// The next range, claimed by this thread; nil when none is left.
  public func claim() -> Range<Int>? {
    let start = next.withLock { next in
      defer { next += chunk }
      return next
    }
    guard start < count else { return nil }
    return start..<min(count, start + chunk)
  }

  /// How many indices have been handed out (all of them once stopped): index `i` is claimed when
  /// this is above `i`.
  public var handedOut: Int { next.withLock { min($0, count) } }

  /// Hands out nothing more (the work was given up); ranges already claimed are not affected.
  /// Returns how many indices had been handed out until then.
  @discardableResult public func stop() -> Int {
    next.withLock { next in
      defer { next = count }
      return min(next, count)
    }
  }
}
