import Dispatch
import LoamCore

/// Makes `count` values, in order, on another thread, while the caller works on the values made
/// so far: an import's envelopes are signed while the batch before them is appended. Taking a
/// value not made yet makes it (and its chunk) on the taking thread, unless the other thread is
/// already on it, then waits for that; so the taker never waits for values behind the one it needs.
///
/// Values are made a chunk at a time: a thread claims the next chunk (`ChunkClaims`), makes its
/// values into their slots, and then signals the chunk's group.
public final class WorkAhead<Value: Sendable>: @unchecked Sendable {
  // @unchecked: a slot is written only by the thread that claimed its chunk, and read only after
  // that chunk's group is signalled (or by that thread itself); `make` is let go only by `stop`,
  // once the other thread has returned and no `value` call is in flight.
  private let count: Int
  private let chunk: Int
  private var make: (@Sendable (Int) throws -> Value)?
  /// Left when the other thread has run out of chunks.
  private let working = DispatchGroup()
  private let slots: UnsafeMutableBufferPointer<Result<Value, any Error>?>
  private let made: [DispatchGroup]
  private let claims: ChunkClaims

  public init(count: Int, chunk: Int = 256, make: @escaping @Sendable (Int) throws -> Value) {
    let chunk = max(1, chunk)
    self.count = count
    self.chunk = chunk
    self.make = make
    claims = ChunkClaims(count: count, chunk: chunk)
    slots = .allocate(capacity: max(count, 1))
    slots.initialize(repeating: nil)
    made = (0..<((count + chunk - 1) / chunk)).map { _ in
      let group = DispatchGroup()
      group.enter()
      return group
    }
    // The thread holds `self` until it runs out of chunks, so the slots outlive it.
    working.enter()
    DispatchQueue.global().async {
      while self.claimAndMake() {}
      self.working.leave()
    }
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  /// Value `index`, made here if no thread has begun it; rethrows the error making it threw.
  public func value(_ index: Int) throws -> Value {
    precondition(index >= 0 && index < count, "WorkAhead: index out of range")
    while claims.handedOut <= index { _ = claimAndMake() }
    made[index / chunk].wait()
    guard let result = slots[index] else { throw CancellationError() }
    return try result.get()
  }

  /// Stops the other thread after the chunk it is on, and waits for it: the caller needs no more
  /// values (those not made by now are not made; `value` throws `CancellationError` for them) and
  /// has no `value` call in flight. Then `make` is let go, with what it holds.
  ///
  /// Call it before the process may exit: a thread still making values (signing, in an import)
  /// while `exit` runs OpenSSL's cleanup crashed the process, and so could the last release of a
  /// key that `make` holds, on whichever thread frees this.
  public func stop() {
    let handedOut = claims.stop()
    // Every group is left once, or libdispatch traps when it is freed.
    for group in made[((handedOut + chunk - 1) / chunk)...] { group.leave() }
    working.wait()
    make = nil
  }

  /// Claims the next chunk and makes its values; false when none is left.
  private func claimAndMake() -> Bool {
    guard let range = claims.claim() else { return false }
    for index in range { slots[index] = Result { try make!(index) } }
    made[range.lowerBound / chunk].leave()
    return true
  }
}
