import Glibc
import Synchronization
import Testing

@testable import LoamStore

/// Values made ahead come back in order and exactly once each, whichever thread made them; an error
/// comes back for its own index only; after `stop`, nothing more is made.
@Suite struct WorkAheadTests {
  struct Odd: Error, Equatable { var index: Int }

  @Test func everyValueIsMadeOnceAndReadInOrder() throws {
    let calls = Mutex([Int](repeating: 0, count: 10_000))
    let work = WorkAhead(count: 10_000, chunk: 64) { index in
      calls.withLock { $0[index] += 1 }
      return index * 3
    }
    for index in 0..<10_000 {
      #expect(try work.value(index) == index * 3)
    }
    // Read again: the value is kept, not made twice.
    #expect(try work.value(4_321) == 4_321 * 3)
    #expect(calls.withLock { $0 } == [Int](repeating: 1, count: 10_000))
  }

  @Test func aFailureComesBackForItsIndexOnly() throws {
    let work = WorkAhead(count: 300, chunk: 7) { index in
      if index == 150 { throw Odd(index: index) }
      return index
    }
    #expect(try work.value(149) == 149)
    #expect(throws: Odd(index: 150)) { try work.value(150) }
    #expect(try work.value(151) == 151)
  }

  @Test func valuesFarAheadAreMadeByTheTakerWithoutWaitingForTheOthers() throws {
    // The last value first: the taker claims chunks up to it itself, whatever the other thread is on.
    let work = WorkAhead(count: 5_000, chunk: 10) { $0 + 1 }
    #expect(try work.value(4_999) == 5_000)
    #expect(try work.value(0) == 1)
  }

  @Test func stopLeavesTheRestUnmade() throws {
    let made = Atomic<Int>(0)
    let gate = Atomic<Bool>(false)
    let work = WorkAhead(count: 1_000_000, chunk: 1_000) { index in
      // Past the first chunk, the other thread is held here until the test has stopped the work.
      while index >= 1_000 && !gate.load(ordering: .acquiring) { usleep(100) }
      made.add(1, ordering: .relaxed)
      return index
    }
    #expect(try work.value(0) == 0)
    work.stop()
    gate.store(true, ordering: .releasing)
    // Waits for the second chunk if the other thread had claimed it before the stop.
    _ = try? work.value(1_000)
    #expect(throws: CancellationError.self) { try work.value(999_999) }
    // The first chunk, and the second at most: the chunk the other thread was on.
    #expect(made.load(ordering: .relaxed) <= 2_000)
  }
}
