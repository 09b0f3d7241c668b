/// The body of a C2SP tlog-checkpoint: origin, tree size, root hash, optional extension lines.
///
/// Parsing is strict where the spec says MUST: the root is exactly 32 bytes of canonical base64,
/// the size is decimal without leading zeros, extension lines are non-empty.
public struct Checkpoint: Hashable, Sendable {
  public var origin: String
  public var size: UInt64
  public var rootHash: SHA256Digest
  public var extensions: [String]

  public init(origin: String, size: UInt64, rootHash: SHA256Digest, extensions: [String] = []) {
    self.origin = origin
    self.size = size
    self.rootHash = rootHash
    self.extensions = extensions
  }

  /// The note text: `<origin>\n<size>\n<base64 root>\n` then each extension line.
  public var text: String {
    ([origin, String(size), Base64.encode(rootHash.bytes)] + extensions).map { $0 + "\n" }.joined()
  }

  /// Parses a checkpoint note text.
  public init(text: String) throws {
    func malformed(_ why: String) -> NoteError { NoteError(.malformedCheckpoint, "malformed checkpoint: \(why)") }
    guard text.hasSuffix("\n") else { throw malformed("the text must end in a newline") }
    let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.count >= 3 else { throw malformed("it needs an origin, a tree size and a root hash line") }
    guard !lines[0].isEmpty else { throw malformed("the origin line is empty") }
    let sizeText = lines[1]
    guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      sizeText == "0" || !sizeText.hasPrefix("0"), let size = UInt64(sizeText)
    else {
      throw malformed("the tree size \"\(sizeText.prefix(30))\" is not a decimal number of at most 64 bits")
    }
    guard let root = Base64.decode(lines[2]), let digest = SHA256Digest(bytes: root) else {
      throw malformed("the root hash is not base64 of 32 bytes")
    }
    let extensions = lines.dropFirst(3).map(String.init)
    guard !extensions.contains(where: \.isEmpty) else { throw malformed("extension lines may not be empty") }
    self.init(origin: String(lines[0]), size: size, rootHash: digest, extensions: extensions)
  }
}
