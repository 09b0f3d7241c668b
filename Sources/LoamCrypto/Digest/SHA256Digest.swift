/// A SHA-256 digest: 32 bytes, compared in constant time, written as lowercase hex.
public struct SHA256Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
  // Four big-endian words: cheap to copy, hash and compare without heap storage.
  var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

  public static let byteCount = 32

  /// Creates a digest from exactly 32 bytes; nil for any other length.
  public init?(bytes: some Collection<UInt8>) {
    guard bytes.count == Self.byteCount else { return nil }
    if let fast = bytes.withContiguousStorageIfAvailable({ SHA256Digest(bytes: UnsafeRawBufferPointer($0)) }) {
      self = fast!
      return
    }
    let array = Array(bytes)
    func word(_ at: Int) -> UInt64 {
      var value: UInt64 = 0
      for index in at..<(at + 8) { value = value << 8 | UInt64(array[index]) }
      return value
    }
    (w0, w1, w2, w3) = (word(0), word(8), word(16), word(24))
  }

  /// Reads exactly 32 bytes; nil for any other length.
  public init?(bytes buffer: UnsafeRawBufferPointer) {
    guard buffer.count == Self.byteCount else { return nil }
    func word(_ at: Int) -> UInt64 { UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    (w0, w1, w2, w3) = (word(0), word(8), word(16), word(24))
  }

  /// Parses exactly 64 lowercase hex digits (the canonical form); nil otherwise.
  public init?(lowercaseHex text: UnsafeBufferPointer<UInt8>) {
    guard text.count == 64 else { return nil }
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    func nibble(_ byte: UInt8) -> UInt64? {
      let digit = byte &- UInt8(ascii: "0")
      if digit < 10 { return UInt64(digit) }
      let letter = byte &- UInt8(ascii: "a")
      return letter < 6 ? UInt64(letter + 10) : nil
    }
    for word in 0..<4 {
      var value: UInt64 = 0
      for index in (word * 16)..<(word * 16 + 16) {
        guard let digit = nibble(text[index]) else { return nil }
        value = value << 4 | digit
      }
      switch word {
      case 0: words.0 = value
      case 1: words.1 = value
      case 2: words.2 = value
      default: words.3 = value
      }
    }
    self.init(words: words)
  }

  /// Parses 64 characters of hex (either case); nil otherwise.
  public init?(hex: some StringProtocol) {
    guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
    self.init(bytes: bytes)
  }

  init(words: (UInt64, UInt64, UInt64, UInt64)) { (w0, w1, w2, w3) = words }

  /// The first 8 bytes as a big-endian integer: uniformly distributed, a ready hash-table index.
  public var prefix64: UInt64 { w0 }

  /// The all-zero digest (the `prev` of entry 0).
  public static let zero = SHA256Digest(words: (0, 0, 0, 0))

  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(32)
    for word in [w0, w1, w2, w3] {
      for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    return out
  }

  /// Writes the 32 bytes at the start of `place` (which must hold them).
  public func store(into place: UnsafeMutableRawBufferPointer) {
    precondition(place.count >= 32)
    for (index, word) in [w0, w1, w2, w3].enumerated() {
      place.storeBytes(of: word.bigEndian, toByteOffset: index * 8, as: UInt64.self)
    }
  }

  public var hex: String {
    String(unsafeUninitializedCapacity: 64) { out in
      let digits: StaticString = "0123456789abcdef"
      let table = digits.utf8Start
      var index = 0
      for word in [w0, w1, w2, w3] {
        for shift in stride(from: 60, through: 0, by: -4) {
          out[index] = table[Int(truncatingIfNeeded: (word >> UInt64(shift)) & 0xf)]
          index += 1
        }
      }
      return 64
    }
  }
  public var description: String { hex }

  /// Constant time: no early exit on the first differing word.
  public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
    ((lhs.w0 ^ rhs.w0) | (lhs.w1 ^ rhs.w1) | (lhs.w2 ^ rhs.w2) | (lhs.w3 ^ rhs.w3)) == 0
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(w0)
    hasher.combine(w1)
  }

  /// Byte order (the order of the hex strings).
  public static func < (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
    (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
  }
}
