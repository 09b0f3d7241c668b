/// The bytes of a pre-hash string as it is written: one buffer, and lists whose elements are put in
/// UTF-8 byte order (CBV 2.0 §8.9 rules 10–12) where they were written, without a string per element.
///
/// A sorted list is written between `beginSorted()` and `endSorted(_:)`; each element is what one
/// `part(_:)` writes. Empty elements take no place. Lists nest: an inner list is put in order
/// before the element that holds it ends.
struct PreHashWriter {
  private(set) var bytes: [UInt8] = []
  /// The elements of the lists being written, innermost last.
  private var parts: [Range<Int>] = []
  private var scratch: [UInt8] = []

  init() {
    bytes.reserveCapacity(512)
  }

  struct List {
    fileprivate var start: Int
    fileprivate var firstPart: Int
  }

  var count: Int { bytes.count }

  mutating func write(_ text: String) {
    var text = text
    text.withUTF8 { bytes.append(contentsOf: $0) }
  }

  mutating func write(_ bytes: some Sequence<UInt8>) {
    self.bytes.append(contentsOf: bytes)
  }

  mutating func write(byte: UInt8) {
    bytes.append(byte)
  }

  /// Lets `body` append to the buffer directly (a writer of its own bytes, such as a timestamp's).
  mutating func write(with body: (inout [UInt8]) -> Void) {
    body(&bytes)
  }

  /// Takes back everything written from `offset` on.
  mutating func truncate(to offset: Int) {
    bytes.removeSubrange(offset...)
  }

  /// Writes `name` (and `separator`), then `body`; when the body writes nothing, both are taken back.
  mutating func named(_ name: String, separator: UInt8? = nil, _ body: (inout PreHashWriter) -> Void) {
    let start = bytes.count
    write(name)
    if let separator { bytes.append(separator) }
    let after = bytes.count
    body(&self)
    if bytes.count == after { truncate(to: start) }
  }

  mutating func beginSorted() -> List {
    List(start: bytes.count, firstPart: parts.count)
  }

  /// What `body` writes, as one element of the list being written (none when it writes nothing).
  mutating func part(_ body: (inout PreHashWriter) -> Void) {
    let start = bytes.count
    body(&self)
    if bytes.count > start { parts.append(start..<bytes.count) }
  }

  /// Puts the list's elements in byte order.
  mutating func endSorted(_ list: List) {
    defer { parts.removeSubrange(list.firstPart...) }
    guard parts.count - list.firstPart > 1 else { return }
    var order = Array(parts[list.firstPart...])
    let sorted = bytes.withUnsafeBufferPointer { buffer in
      order.sort { a, b in
        var i = a.lowerBound
        var j = b.lowerBound
        while i < a.upperBound, j < b.upperBound {
          if buffer[i] != buffer[j] { return buffer[i] < buffer[j] }
          i += 1
          j += 1
        }
        return a.count < b.count
      }
      // Already in order (a list of one kind of element often is): nothing to move.
      return zip(order, parts[list.firstPart...]).allSatisfy { $0 == $1 }
    }
    if sorted { return }
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: bytes[list.start...])
    truncate(to: list.start)
    for range in order { bytes.append(contentsOf: scratch[(range.lowerBound - list.start)..<(range.upperBound - list.start)]) }
  }

  /// Each element of `elements` as one element of a sorted list.
  mutating func sorted<C: Sequence>(_ elements: C, _ render: (inout PreHashWriter, C.Element) -> Void) {
    let list = beginSorted()
    for element in elements { part { render(&$0, element) } }
    endSorted(list)
  }
}
