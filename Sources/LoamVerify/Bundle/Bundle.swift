import LoamCore
public import LoamCrypto

/// A proof bundle (`loam-bundle/v1`, DESIGN.md): one checkpoint and the entries a product's trace
/// needs, each with its inclusion proof, plus the genesis and the enrolment and key history of
/// every signer — enough to verify the trace offline, trusting only the log's public key.
public struct Bundle: Sendable {
  public struct Item: Sendable {
    public var index: UInt64
    public var line: [UInt8]
    public var proof: [SHA256Digest]

    public init(index: UInt64, line: [UInt8], proof: [SHA256Digest]) {
      self.index = index
      self.line = line
      self.proof = proof
    }
  }

  public static let format = "loam-bundle/v1"
  public var subject: String
  /// The checkpoint note, with any cosignatures.
  public var checkpoint: String
  public var entries: [Item]

  public init(subject: String, checkpoint: String, entries: [Item]) {
    self.subject = subject
    self.checkpoint = checkpoint
    self.entries = entries
  }

  public var json: JSONValue {
    [
      "format": .string(Self.format), "subject": .string(subject), "checkpoint": .string(checkpoint),
      "entries": .array(
        entries.map { item in
          [
            "index": .number(JSONNumber(item.index)), "line": .string(String(decoding: item.line, as: UTF8.self)),
            "proof": .array(item.proof.map { .string(Base64.encode($0.bytes)) }),
          ]
        }),
    ]
  }

  public init(json value: JSONValue) throws {
    func malformed(_ why: String) -> BundleError { BundleError(code: "bundle.malformed", message: why) }
    guard let object = value.objectValue, object["format"]?.stringValue == Self.format else {
      throw malformed("not a \(Self.format) document")
    }
    guard let subject = object["subject"]?.stringValue, let checkpoint = object["checkpoint"]?.stringValue,
      let list = object["entries"]?.arrayValue
    else { throw malformed("a bundle needs subject, checkpoint and entries") }
    self.subject = subject
    self.checkpoint = checkpoint
    entries = try list.enumerated().map { position, item in
      guard let index = item["index"]?.numberValue?.int64, index >= 0, let line = item["line"]?.stringValue,
        let proof = item["proof"]?.arrayValue
      else { throw malformed("entry \(position) needs index, line and proof") }
      let hashes = try proof.map { hash -> SHA256Digest in
        guard let text = hash.stringValue, let bytes = Base64.decode(text), let digest = SHA256Digest(bytes: bytes) else {
          throw malformed("entry \(position) has a proof hash that is not base64 of 32 bytes")
        }
        return digest
      }
      return Item(index: UInt64(index), line: Array(line.utf8), proof: hashes)
    }
  }
}

public struct BundleError: Error, Hashable, Sendable, CustomStringConvertible {
  /// `bundle.malformed`, `bundle.checkpoint`, `bundle.quorum`, `bundle.inclusion`, `bundle.entry`,
  /// `bundle.signature`, `bundle.signer-unknown`, `bundle.incomplete`.
  public var code: String
  public var message: String
  public var description: String { message }
}
