import LoamCore
import Testing

@testable import LoamVerify

/// The delta-encoded record of signatures gives back exactly what was recorded, per key, in order:
/// also for a `logged` that goes backwards (a log with findings), fractions of a second and seqs
/// far apart.
@Suite struct KeyUsesTests {
  @Test func usesReadBackAsRecorded() throws {
    let start = try #require(Timestamp("2026-09-14T07:31:02Z"))
    let recorded: [(key: String, seq: UInt64, logged: Timestamp)] = [
      ("a", 0, start), ("b", 1, start), ("a", 2, start.adding(seconds: 1)),
      ("a", 3, Timestamp(seconds: start.seconds - 86_400 * 400, nanoseconds: 999_999_999)),
      ("a", 1 << 40, Timestamp(seconds: 253_402_300_799, nanoseconds: 5)), ("b", (1 << 40) + 1, start),
    ]
    var uses = KeyUses()
    for use in recorded { uses.record(use.key, seq: use.seq, logged: use.logged) }
    for key in ["a", "b"] {
      let expected = recorded.filter { $0.key == key }
      let read = uses.uses(of: key)
      #expect(read.map(\.seq) == expected.map(\.seq))
      #expect(read.map(\.logged) == expected.map(\.logged))
    }
    #expect(uses.uses(of: "c").isEmpty)
  }
}
