import LoamCrypto

extension TraceIndex {
  /// An index over a subset of a log's entries (a proof bundle), given in log order. Corrections
  /// void only entries in the subset; receipts find their lot through the included shipment.
  public static func build(from entries: [(seq: UInt64, entry: Entry, statement: Statement)]) -> TraceIndex {
    var index = TraceIndex()
    var seqByID: [SHA256Digest: UInt64] = [:]
    var lotByShipment: [SHA256Digest: String] = [:]
    for item in entries {
      seqByID[item.entry.id] = item.seq
      var receivedLot: String? = nil
      var corrected: UInt64? = nil
      switch item.statement.body {
      case .ship(let shipment): lotByShipment[item.entry.id] = shipment.lot
      case .receive(let receipt): receivedLot = lotByShipment[receipt.shipment]
      case .correct(let correction): corrected = seqByID[correction.entry]
      default: break
      }
      index.record(item.statement, seq: item.seq, receivedLot: receivedLot, correctedSeq: corrected)
    }
    return index
  }
}
