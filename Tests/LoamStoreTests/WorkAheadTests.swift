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

  @Test func stopWaitsForTheChunkBeingMadeAndLeavesTheRest() throws {
    let made = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    let work = WorkAhead(count: 1_000_000, chunk: 100) { index in
      inFlight.add(1, ordering: .relaxed)
      usleep(20)  // slow enough that the other thread is within a chunk when the stop comes
      made.add(1, ordering: .relaxed)
      inFlight.subtract(1, ordering: .releasing)
      return index
    }
    #expect(try work.value(250) == 250)
    // Stopped while the other thread is within a chunk (this one makes nothing now).
    while inFlight.load(ordering: .acquiring) == 0 { usleep(50) }
    work.stop()
    // Nothing is being made after the stop, and every chunk begun was finished.
    #expect(inFlight.load(ordering: .acquiring) == 0)
    let count = made.load(ordering: .relaxed)
    #expect(count % 100 == 0)
    #expect(count < 1_000_000)
    #expect(throws: CancellationError.self) { try work.value(999_999) }
    #expect(made.load(ordering: .relaxed) == count)
  }
}
