import LoamCore

/// When each key signed, for the warnings a revocation with a `from` in the past raises. Every
/// accepted signature is kept until the end of the log, so each is delta-encoded per key as three
/// LEB128 varints — seq step, logged seconds step (zigzag), nanoseconds — about 3 bytes a
/// signature instead of 24.
struct KeyUses {
  fileprivate struct Stream {
    var bytes: [UInt8] = []
    var lastSeq: UInt64 = 0
    var lastSeconds: Int64 = 0
  }

  private var streams: [String: Stream] = [:]

  mutating func record(_ keyID: String, seq: UInt64, logged: Timestamp) {
    streams[keyID, default: Stream()].append(seq: seq, logged: logged)
  }

  /// Every recorded use of the key, in the order recorded.
  func uses(of keyID: String) -> [(seq: UInt64, logged: Timestamp)] {
    guard let stream = streams[keyID] else { return [] }
    var out: [(seq: UInt64, logged: Timestamp)] = []
    var index = 0
    var seq: UInt64 = 0
    var seconds: Int64 = 0
    func next() -> UInt64 {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        let byte = stream.bytes[index]
        index += 1
        value |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return value }
        shift += 7
      }
    }
    while index < stream.bytes.count {
      seq &+= next()
      let step = next()
      seconds &+= Int64(bitPattern: (step >> 1) ^ (0 &- (step & 1)))
      out.append((seq, Timestamp(seconds: seconds, nanoseconds: Int32(truncatingIfNeeded: next()))))
    }
    return out
  }
}

extension KeyUses.Stream {
  fileprivate mutating func append(seq: UInt64, logged: Timestamp) {
    func varint(_ value: UInt64) {
      var rest = value
      while rest >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
        rest >>= 7
      }
      bytes.append(UInt8(rest))
    }
    varint(seq &- lastSeq)
    let step = logged.seconds &- lastSeconds
    varint(UInt64(bitPattern: (step << 1) ^ (step >> 63)))
    varint(UInt64(truncatingIfNeeded: logged.nanoseconds))
    lastSeq = seq
    lastSeconds = logged.seconds
  }
}
