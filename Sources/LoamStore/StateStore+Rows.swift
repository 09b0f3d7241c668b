import FoundationEssentials
import Glibc
import LoamCore
import LoamCrypto

/// The row formats of the derived state: the values written by hand (the same members
/// `JSONEncoder` would write, so `JSONDecoder` reads them back), the fast readers of the rows a
/// trace reads most, and `TableRows`, a table's changed rows in key order in one buffer.
extension StateStore {
  /// Entry records are most of the rows; they get a compact text form instead of JSON:
  /// `seq kind actor voided`, separated by tabs (ids never hold tabs). The effect is left out: a
  /// correction, the one reader of it, recomputes it from the entry's statement (`EntryTable`).
  static func encodeEntry(_ record: LedgerState.EntryRecord, into out: inout RowWriter) {
    out.raw(record.seq)
    out.raw("\t")
    out.raw(record.kind.rawValue)
    out.raw("\t")
    out.raw(record.actor)
    out.raw(record.voided ? "\t1" : "\t0")
  }

  /// The bytes of row keys and values, written directly (values with the members `JSONDecoder`
  /// reads back).
  struct RowWriter {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(128) }

    /// One value's bytes.
    static func bytes<V>(_ value: V, _ encode: (V, inout RowWriter) -> Void) -> [UInt8] {
      var out = RowWriter()
      encode(value, &out)
      return out.bytes
    }

    mutating func raw(_ bytes: some Sequence<UInt8>) { self.bytes.append(contentsOf: bytes) }
    /// A seq as 8 big-endian bytes (keys sort by it).
    mutating func seqKey(_ seq: UInt64) {
      for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: seq >> UInt64(shift))) }
    }
    mutating func raw(_ text: StaticString) {
      bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func raw(_ number: UInt64) {
      let start = bytes.count
      var value = number
      repeat {
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
        value /= 10
      } while value > 0
      bytes[start...].reverse()
    }
    mutating func string(_ text: String) { JCS.appendString(text, to: &bytes) }
    mutating func string(_ decimal: ExactDecimal) { string(decimal.description) }
    mutating func string(_ time: Timestamp) {
      bytes.append(UInt8(ascii: "\""))
      time.appendDescription(to: &bytes)
      bytes.append(UInt8(ascii: "\""))
    }
  }

  static func encodeSeq(_ seq: UInt64, into out: inout RowWriter) { out.raw(seq) }

  static func encodeFieldEvent(_ event: FieldEventRef, into out: inout RowWriter) {
    out.raw("{\"seq\":")
    out.raw(event.seq)
    out.raw(",\"kind\":\"")
    out.raw(event.kind.rawValue)
    out.raw("\",\"from\":")
    out.string(event.from)
    out.raw(",\"until\":")
    out.string(event.until)
    out.raw("}")
  }

  /// A ref's row (layout version 10), keyed by the ref's SHA-256 (`refKey`): seq (8 bytes,
  /// big-endian), entry id, payload hash (32 each). As JSON keyed by the ref, a GS1 event hash ID's
  /// row was 260 bytes instead of 104, and an import's 110,848 of them cost its appending thread
  /// 0.7 s of 4.7 to write.
  static func encodeRef(_ ref: LedgerState.RefRecord, into out: inout RowWriter) {
    out.seqKey(ref.seq)
    out.raw(ref.entryID.bytes)
    out.raw(ref.payloadHash.bytes)
  }

  static func refKey(_ ref: String) -> [UInt8] { SHA256.hash(Array(ref.utf8)).bytes }

  static func decodeRef(_ bytes: UnsafeRawBufferPointer) -> LedgerState.RefRecord? {
    guard bytes.count == 72, let entryID = SHA256Digest(bytes: UnsafeRawBufferPointer(rebasing: bytes[8..<40])),
      let payloadHash = SHA256Digest(bytes: UnsafeRawBufferPointer(rebasing: bytes[40..<72]))
    else { return nil }
    let seq = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return LedgerState.RefRecord(seq: seq, entryID: entryID, payloadHash: payloadHash)
  }

  static func encodeLot(_ lot: LedgerState.Lot, into out: inout RowWriter) {
    out.raw("{\"id\":")
    out.string(lot.id)
    out.raw(",\"product\":")
    out.string(lot.product)
    out.raw(",\"unit\":")
    out.string(lot.unit)
    out.raw(",\"created\":")
    out.string(lot.created)
    out.raw(",\"createdSeq\":")
    out.raw(lot.createdSeq)
    out.raw(",\"holdings\":{")
    let holdings = lot.holdings.count < 2 ? Array(lot.holdings) : lot.holdings.sorted { $0.key < $1.key }
    for (index, (participant, quantity)) in holdings.enumerated() {
      if index > 0 { out.raw(",") }
      out.string(participant)
      out.raw(":")
      out.string(quantity)
    }
    out.raw("}}")
  }

  static func encodeShipment(_ shipment: LedgerState.ShipmentRecord, into out: inout RowWriter) {
    out.raw("{\"lot\":")
    out.string(shipment.lot)
    out.raw(",\"from\":")
    out.string(shipment.from)
    out.raw(",\"to\":")
    out.string(shipment.to)
    out.raw(",\"quantity\":")
    out.string(shipment.quantity)
    out.raw(",\"received\":")
    out.string(shipment.received)
    out.raw(",\"time\":")
    out.string(shipment.time)
    out.raw(",\"seq\":")
    out.raw(shipment.seq)
    out.raw("}")
  }

  /// Reads back the rows a trace reads most (seqs of list rows, field events) exactly as
  /// `encodeSeq` and `encodeFieldEvent` wrote them; nil for anything else, which goes through
  /// `JSONDecoder` (a field's long history made it most of a trace's time).
  static func fastDecode<V>(_ raw: UnsafeRawBufferPointer, as type: V.Type) -> V? {
    let bytes = raw.assumingMemoryBound(to: UInt8.self)
    func integer(_ range: Range<Int>) -> UInt64? {
      guard !range.isEmpty, range.count <= 19 else { return nil }
      var value: UInt64 = 0
      for index in range {
        let digit = bytes[index] &- 0x30
        guard digit < 10 else { return nil }
        value = value * 10 + UInt64(digit)
      }
      return value
    }
    if V.self == UInt64.self { return integer(0..<bytes.count) as? V }
    if V.self == LedgerState.RefRecord.self { return decodeRef(raw) as? V }
    guard V.self == FieldEventRef.self else { return nil }
    // {"seq":N,"kind":"K","from":"T","until":"T"}
    func expect(_ literal: StaticString, at index: Int) -> Bool {
      let count = literal.utf8CodeUnitCount
      return index + count <= bytes.count && memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0
    }
    guard expect(#"{"seq":"#, at: 0), let comma = bytes[7...].firstIndex(of: UInt8(ascii: ",")),
      let seq = integer(7..<comma), expect(#","kind":""#, at: comma)
    else { return nil }
    let kindStart = comma + 9
    guard let kindEnd = bytes[kindStart...].firstIndex(of: UInt8(ascii: "\"")),
      let kind = StatementKind(
        rawValue: String(decoding: UnsafeBufferPointer(rebasing: bytes[kindStart..<kindEnd]), as: UTF8.self)),
      expect(#"","from":""#, at: kindEnd)
    else { return nil }
    let fromStart = kindEnd + 10
    guard let fromEnd = bytes[fromStart...].firstIndex(of: UInt8(ascii: "\"")),
      let from = Timestamp(utf8: UnsafeBufferPointer(rebasing: bytes[fromStart..<fromEnd])),
      expect(#"","until":""#, at: fromEnd)
    else { return nil }
    let untilStart = fromEnd + 11
    guard bytes.count >= untilStart + 2, expect(#""}"#, at: bytes.count - 2),
      let until = Timestamp(utf8: UnsafeBufferPointer(rebasing: bytes[untilStart..<(bytes.count - 2)]))
    else { return nil }
    return FieldEventRef(seq: seq, kind: kind, from: from, until: until) as? V
  }

  static func decodeEntry(_ data: Data) -> LedgerState.EntryRecord? {
    let fields = String(decoding: data, as: UTF8.self).split(separator: "\t", omittingEmptySubsequences: false)
    guard fields.count == 4, let seq = UInt64(fields[0]), let kind = StatementKind(rawValue: String(fields[1])) else {
      return nil
    }
    return LedgerState.EntryRecord(seq: seq, kind: kind, actor: String(fields[2]), voided: fields[3] == "1", effect: nil)
  }

  /// The changed rows of one table, keys and values in one buffer, put in key order by `sort()`:
  /// a rebuild writes millions, and a row's two arrays and the generic comparison of their keys
  /// were most of its time.
  struct TableRows {
    let table: TableID
    private(set) var out = RowWriter()
    private(set) var rows: [Row] = []

    struct Row {
      var start: Int
      var keyCount: Int32
      /// -1: the row is deleted.
      var valueCount: Int32
      /// The key's first 8 bytes, big-endian (zero-padded): most comparisons end here.
      var prefix: UInt64
    }

    private func prefix(_ start: Int, _ end: Int) -> UInt64 {
      var value: UInt64 = 0
      for index in start..<(start + 8) { value = value << 8 | UInt64(index < end ? out.bytes[index] : 0) }
      return value
    }

    init(_ table: TableID, capacity: Int = 0) {
      self.table = table
      rows.reserveCapacity(capacity)
    }

    /// Adds a row with its value.
    mutating func add(key: (inout RowWriter) -> Void, value: (inout RowWriter) throws -> Void) rethrows {
      let start = out.bytes.count
      key(&out)
      let keyEnd = out.bytes.count
      try value(&out)
      rows.append(
        Row(
          start: start, keyCount: Int32(keyEnd - start), valueCount: Int32(out.bytes.count - keyEnd),
          prefix: prefix(start, keyEnd)))
    }

    /// Adds the deletion of a row.
    mutating func delete(key: (inout RowWriter) -> Void) {
      let start = out.bytes.count
      key(&out)
      rows.append(
        Row(start: start, keyCount: Int32(out.bytes.count - start), valueCount: -1, prefix: prefix(start, out.bytes.count)))
    }

    /// Puts the rows in byte order of their keys.
    mutating func sort() {
      out.bytes.withUnsafeBufferPointer { buffer in
        let base = buffer.baseAddress!
        rows.sort { a, b in
          if a.prefix != b.prefix { return a.prefix < b.prefix }
          let order = memcmp(base + a.start, base + b.start, Int(min(a.keyCount, b.keyCount)))
          return order != 0 ? order < 0 : a.keyCount < b.keyCount
        }
      }
    }

    /// The rows and the bytes they point into, valid during `body`.
    func withRows<R>(_ body: (UnsafeRawBufferPointer, [Row]) throws -> R) rethrows -> R {
      try out.bytes.withUnsafeBytes { try body($0, rows) }
    }

    /// Each row's key and value (nil: deleted), in the rows' order.
    func forEach(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) rethrows {
      try out.bytes.withUnsafeBytes { buffer in
        for row in rows {
          let key = UnsafeRawBufferPointer(rebasing: buffer[row.start..<(row.start + Int(row.keyCount))])
          let valueStart = row.start + Int(row.keyCount)
          let value =
            row.valueCount < 0
            ? nil : UnsafeRawBufferPointer(rebasing: buffer[valueStart..<(valueStart + Int(row.valueCount))])
          try body(key, value)
        }
      }
    }
  }
}
