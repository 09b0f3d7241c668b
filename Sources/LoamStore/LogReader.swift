import Glibc

/// Reads `entries.jsonl` sequentially in large chunks and hands out complete lines in batches.
/// A final line without its newline (a torn write) is not returned; `tornTail` reports it.
struct LogReader {
  /// No entry line is longer (a payload is at most 32 KiB); a longer run of bytes without a
  /// newline is not an entry, and reading stops there rather than buffering a hostile file.
  static let maximumLineLength = 1 << 20

  let path: String
  let descriptor: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var finished = false
  /// Bytes after the last newline once the file is exhausted.
  private(set) var tornTail = 0
  /// Byte offset just past the complete lines handed out so far.
  private(set) var offset = 0
  /// Stop at this many bytes (the log's size when reading started), so a concurrent append
  /// is not half-read.
  let limit: Int
  private var consumed = 0
  private var chunk = 64 << 10

  /// Reads from byte `start` (the beginning of a line) to the file's current end.
  init(path: String, from start: Int = 0) throws {
    self.path = path
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileIO.ioError("reading", path) }
    limit = FileIO.size(of: descriptor) - start
    offset = start
    if start > 0 && lseek(descriptor, off_t(start), SEEK_SET) < 0 {
      Glibc.close(descriptor)
      throw FileIO.ioError("reading", path)
    }
  }

  func close() { Glibc.close(descriptor) }

  /// The index of the first newline in `bytes` at or after `start` (memchr: a byte loop over the
  /// log was a good part of the reading thread's time).
  static func newline(in bytes: [UInt8], from start: Int) -> Int? {
    guard start < bytes.count else { return nil }
    return bytes.withUnsafeBytes { raw in
      memchr(raw.baseAddress! + start, 0x0A, raw.count - start).map { $0 - UnsafeMutableRawPointer(mutating: raw.baseAddress!) }
    }
  }

  /// Up to `maximum` complete lines (without newlines); empty at the end.
  mutating func nextBatch(maximum: Int) throws -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    while lines.count < maximum {
      if let newline = Self.newline(in: buffer, from: start) {
        lines.append(buffer[start..<newline])
        offset += newline - start + 1
        start = newline + 1
        continue
      }
      if finished {
        tornTail = buffer.count - start
        break
      }
      // Keep the partial line, read more.
      if !lines.isEmpty { break }
      guard buffer.count - start <= Self.maximumLineLength else {
        throw StoreError(
          .invalidInput,
          "\(path): the line at byte \(offset) runs past \(Self.maximumLineLength) bytes without a newline; no Loam entry is that long, so this is not a ledger log (or it was damaged there)"
        )
      }
      buffer.removeSubrange(0..<start)
      start = 0
      // Small first reads, then up to 4 MiB: a command that wants only the genesis line (every
      // append, to name the log) read and zero-filled 4 MiB for it.
      let want = min(chunk, limit - consumed)
      chunk = min(chunk * 4, 4 << 20)
      if want <= 0 {
        finished = true
        continue
      }
      // In place, or copied by Array when lines handed out still share it. (A new buffer for every
      // read instead took a 1M-entry verify's peak from 141 to 151 MB.)
      let old = buffer.count
      buffer.append(contentsOf: repeatElement(0, count: want))
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + old, want) }
      if count < 0 {
        if errno == EINTR {
          buffer.removeSubrange(old...)
          continue
        }
        throw FileIO.ioError("reading", path)
      }
      buffer.removeSubrange((old + count)...)
      consumed += count
      if count == 0 { finished = true }
    }
    return lines
  }
}
