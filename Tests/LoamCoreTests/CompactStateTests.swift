import LoamCrypto
import Synchronization
import Testing

@testable import LoamCore

/// The compact entry table keeps 8 bytes of each id: ids that share them are told apart by the
/// entry read back, so lookups stay exact.
@Suite struct CompactEntriesTests {
  final class Log: Sendable {
    let entries = Mutex<[UInt64: EntryTable.ReadBack]>([:])
    let reads = Atomic<Int>(0)
  }

  /// An id whose first 8 bytes are `prefix` and whose last byte is `tail`.
  func id(prefix: UInt8, tail: UInt8) -> SHA256Digest {
    SHA256Digest(bytes: [UInt8](repeating: prefix, count: 8) + [UInt8](repeating: 0, count: 23) + [tail])!
  }

  @Test func idsSharingTheirFirstBytesStayApart() throws {
    let log = Log()
    let statement = try Statement(
      json: try JSONValue(
        parsing: Array(
          #"{"kind":"sell","actor":"winery:w","time":"2026-09-14T07:31:02Z","lot":"M1","quantity":{"value":1,"uom":"LTR"}}"#.utf8)
      ))
    var table = EntryTable(compactReading: { seq in
      log.reads.add(1, ordering: .relaxed)
      return log.entries.withLock { $0[seq] }
    })
    let first = id(prefix: 7, tail: 1)
    let second = id(prefix: 7, tail: 2)
    let absent = id(prefix: 7, tail: 3)
    let other = id(prefix: 9, tail: 1)
    for (seq, id) in [(UInt64(1), first), (2, second), (3, other)] {
      log.entries.withLock { $0[seq] = EntryTable.ReadBack(id: id, statement: statement) }
      table[id] = LedgerState.EntryRecord(seq: seq, kind: .sell, actor: "winery:w", voided: false, effect: nil)
    }
    #expect(table[first]?.seq == 1)
    #expect(table[second]?.seq == 2)
    #expect(table[other]?.seq == 3)
    #expect(table[absent] == nil)
    // Voiding one leaves the other as it was.
    table[second] = LedgerState.EntryRecord(seq: 2, kind: .sell, actor: "winery:w", voided: true, effect: nil)
    #expect(table[second]?.voided == true)
    #expect(table[first]?.voided == false)
    // A hit reads its entry back once, to compare the whole id; a new id with fresh first bytes reads nothing.
    let before = log.reads.load(ordering: .relaxed)
    #expect(table[other]?.actor == "winery:w")
    #expect(log.reads.load(ordering: .relaxed) == before + 1)
    table[id(prefix: 11, tail: 0)] = LedgerState.EntryRecord(seq: 4, kind: .sell, actor: "brand:b", voided: false, effect: nil)
    #expect(log.reads.load(ordering: .relaxed) == before + 1)
  }
}

/// The dense store of compact mode's live lots gives back exactly the lot stored, with one holder
/// or several, and reuses the places of lots that left it.
@Suite struct CompactLotsTests {
  func lot(_ id: String, _ holdings: [String: ExactDecimal], seq: UInt64) -> LedgerState.Lot {
    LedgerState.Lot(
      id: id, product: "must", unit: "LTR", created: Timestamp(seconds: 1_800_000_000 + Int64(seq), nanoseconds: 5),
      createdSeq: seq, holdings: holdings)
  }

  @Test func lotsComeBackAsStored() throws {
    var lots = CompactLots()
    let one = lot("M1", ["winery:w": ExactDecimal("280.5")!], seq: 1)
    let two = lot("M2", ["winery:w": ExactDecimal("1")!, "brand:b": ExactDecimal("0.001")!], seq: 2)
    lots["M1"] = one
    lots["M2"] = two
    #expect(lots["M1"] == one)
    #expect(lots["M2"] == two)
    #expect(lots.count == 2)
    // One holder becomes two, and two become one.
    var grown = one
    grown.holdings["brand:b"] = ExactDecimal("3")!
    lots["M1"] = grown
    var shrunk = two
    shrunk.holdings["winery:w"] = nil
    lots["M2"] = shrunk
    #expect(lots["M1"] == grown)
    #expect(lots["M2"] == shrunk)
    // A removed lot's place serves the next one; the others are untouched.
    lots["M1"] = nil
    #expect(lots["M1"] == nil)
    let three = lot("M3", ["retailer:r": ExactDecimal("12")!], seq: 3)
    lots["M3"] = three
    #expect(lots["M3"] == three)
    #expect(lots["M2"] == shrunk)
    #expect(lots.count == 2)
  }
}
