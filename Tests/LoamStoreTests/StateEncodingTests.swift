import Foundation
import LoamCrypto
import Testing

@testable import LoamCore
@testable import LoamStore

/// The derived state's hand-written row encodings read back, through `JSONDecoder`, as exactly the
/// values written (the same members `JSONEncoder` would write).
@Suite struct StateEncodingTests {
  func roundTrips<T: Codable & Equatable>(_ value: T, _ encode: (T, inout StateStore.RowWriter) -> Void) throws -> Bool {
    try JSONDecoder().decode(T.self, from: Data(StateStore.RowWriter.bytes(value, encode))) == value
  }

  @Test func everyFastRowDecodesToItself() throws {
    let time = try #require(Timestamp("2026-09-14T07:31:02.5Z"))
    #expect(try roundTrips(UInt64(1_234_567), StateStore.encodeSeq))
    #expect(
      try roundTrips(
        FieldEventRef(seq: 7, kind: .practice, from: time, until: time.adding(seconds: 86_400)), StateStore.encodeFieldEvent))
    let lot = LedgerState.Lot(
      id: "lot \"quoted\"\\é", product: "grenache\nmust", unit: "LTR", created: time, createdSeq: 42,
      holdings: ["winery:cave": ExactDecimal("1234.5")!, "brand:b": ExactDecimal("0.001")!])
    #expect(try roundTrips(lot, StateStore.encodeLot))
    let shipment = LedgerState.ShipmentRecord(
      lot: "https://id.gs1.org/01/09506000134352/10/TV26A", from: "winery:cave", to: "brand:b",
      quantity: ExactDecimal("12000")!, received: ExactDecimal("600.25")!, time: time, seq: 99)
    #expect(try roundTrips(shipment, StateStore.encodeShipment))
  }

  /// The hand-written decoders read exactly what the encoders wrote, and refuse anything else.
  @Test func fastDecodersReadTheEncodedRows() throws {
    let time = try #require(Timestamp("2026-09-14T07:31:02.5Z"))
    let event = FieldEventRef(seq: 123_456, kind: .certify, from: time, until: time.adding(seconds: 86_400))
    func decode<V>(_ bytes: [UInt8], as type: V.Type) -> V? {
      bytes.withUnsafeBytes { StateStore.fastDecode($0, as: type) }
    }
    #expect(decode(StateStore.RowWriter.bytes(event, StateStore.encodeFieldEvent), as: FieldEventRef.self) == event)
    #expect(decode(StateStore.RowWriter.bytes(987_654_321, StateStore.encodeSeq), as: UInt64.self) == 987_654_321)
    #expect(decode(StateStore.RowWriter.bytes(0, StateStore.encodeSeq), as: UInt64.self) == 0)
    #expect(
      decode(StateStore.RowWriter.bytes(999_999_999_999_999_999, StateStore.encodeSeq), as: UInt64.self)
        == 999_999_999_999_999_999)
    #expect(decode(Array("12a".utf8), as: UInt64.self) == nil)
    #expect(decode(Array(#"{"seq":1,"from":"x","until":"y"}"#.utf8), as: FieldEventRef.self) == nil)
    #expect(
      decode(
        Array(#"{"seq":1,"kind":"x","from":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}"#.utf8), as: FieldEventRef.self)
        == nil)
    // The layout before version 8, without the kind, is refused (and the version bump rebuilds such a state).
    #expect(
      decode(Array(#"{"seq":1,"from":"2026-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}"#.utf8), as: FieldEventRef.self)
        == nil)
    #expect(decode(Array("{}".utf8), as: FieldEventRef.self) == nil)
    #expect(decode(Array("1".utf8), as: String.self) == nil)
    // A ref's row is binary (layout version 10): seq, entry id, payload hash.
    let ref = LedgerState.RefRecord(
      seq: 0x0102_0304_0506_0708, entryID: SHA256.hash(Array("x".utf8)), payloadHash: SHA256.hash(Array("y".utf8)))
    let refRow = StateStore.RowWriter.bytes(ref, StateStore.encodeRef)
    #expect(refRow == [1, 2, 3, 4, 5, 6, 7, 8] + ref.entryID.bytes + ref.payloadHash.bytes)
    #expect(decode(refRow, as: LedgerState.RefRecord.self) == ref)
    #expect(decode(Array(refRow.dropLast()), as: LedgerState.RefRecord.self) == nil)
    // The JSON row of layout 9 and before is refused (the version bump rebuilds such a state).
    let jsonRef = Array(#"{"seq":3,"entryID":"\#(ref.entryID.hex)","payloadHash":"\#(ref.payloadHash.hex)"}"#.utf8)
    #expect(decode(jsonRef, as: LedgerState.RefRecord.self) == nil)
  }

  /// Rows are put in byte order of their keys (SQLite's order for blobs), whatever their lengths
  /// and however long a prefix they share.
  @Test func rowsSortInTheKeysByteOrder() {
    var keys: [[UInt8]] = [[], [0], [0, 0], [1], [0xFF], Array("lot-1".utf8), Array("lot-1\u{0}".utf8)]
    keys += [Array("GRAPES-2023-1050".utf8), Array("GRAPES-2023-105".utf8), Array("GRAPES-2023-1049".utf8)]
    keys += (0..<200).map { _ in (0..<Int.random(in: 0...20)).map { _ in UInt8.random(in: 0...3) } }
    keys = Array(Set(keys))
    var rows = StateStore.TableRows(.lots)
    for key in keys.shuffled() { rows.add(key: { $0.raw(key) }, value: { $0.raw(UInt64(key.count)) }) }
    rows.sort()
    var sorted: [[UInt8]] = []
    rows.forEach { key, _ in sorted.append(Array(key)) }
    #expect(sorted == keys.sorted { $0.lexicographicallyPrecedes($1) })
  }

  /// Packed rows: each slot reads back as written, empty slots and slots past the row's end as absent.
  @Test func packedSlotsReadBackAsWritten() throws {
    let far = EntryLocation(offset: 1 << 40, length: 65_535)
    let near = EntryLocation(offset: 0, length: 612)
    var block = [UInt8](repeating: 0, count: 3 * StateStore.locationSlot)
    block.withUnsafeMutableBytes { bytes in
      StateStore.writeLocation(near, into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<12]))
      StateStore.writeLocation(far, into: UnsafeMutableRawBufferPointer(rebasing: bytes[24..<36]))
    }
    #expect(block[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x64]))
    #expect(StateStore.location(in: block, slot: 0) == near)
    #expect(StateStore.location(in: block, slot: 1) == nil)
    #expect(StateStore.location(in: block, slot: 2) == far)
    #expect(StateStore.location(in: block, slot: 3) == nil)
    let digest = SHA256.hash(Array("node".utf8))
    var nodes = [UInt8](repeating: 0, count: 64)
    nodes.withUnsafeMutableBytes { digest.store(into: UnsafeMutableRawBufferPointer(rebasing: $0[32...])) }
    #expect(Array(nodes[32...]) == digest.bytes)
    #expect(StateStore.node(in: nodes, slot: 0) == nil)
    #expect(StateStore.node(in: nodes, slot: 1) == digest)
    #expect(StateStore.node(in: nodes, slot: 2) == nil)
    #expect(StateStore.locationBlockKey(255) == StateStore.seqKey(0))
    #expect(StateStore.locationBlockKey(256) == StateStore.seqKey(1))
    #expect(StateStore.nodeBlockKey(MerkleNodeID(level: 3, index: 513)) == [3] + StateStore.seqKey(2))
  }
}
