import Foundation
import LoamCore
import LoamCrypto
import Testing

/// `loam prove` and `loam verify-bundle` on the demo ledger: the bundle verifies offline and
/// prints the same trace and claim as the full ledger; each kind of tampering is refused.
@Suite(.serialized) struct BundleTests {
  static let bottle = "https://id.gs1.org/01/09506000134352/21/TV26A001042"
  static let origin = "example.org/loam/coop-vignerons-2026"

  /// A demo ledger, cosigned by one witness, and a bundle for a bottle.
  // @unchecked: built once, never mutated afterwards.
  final class Setup: @unchecked Sendable {
    let scratch: Scratch
    let logVkey: String
    let witnessVkey: String
    let bundle: [String: Any]

    /// The fixture lives as long as the test process, so its directory goes at exit.
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loam-cli-bundle-\(getpid())")

    init() throws {
      scratch = try Scratch(url: Self.directory)
      atexit { try? FileManager.default.removeItem(at: Setup.directory) }
      let dir = scratch.path("demo")
      guard try LoamBinary.run(["demo", "--dir", dir]).status == 0 else { throw FixtureError(message: "demo failed") }
      func vkey(_ key: String, _ name: String, _ extra: [String] = []) throws -> String {
        let result = try LoamBinary.run(["key", "show", key, "--name", name, "--json"] + extra)
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["vkey"] as? String ?? ""
      }
      logVkey = try vkey(dir + "/keys/log.pem", BundleTests.origin)
      _ = try LoamBinary.run(["key", "new", "--out", scratch.path("witness.pem")])
      witnessVkey = try vkey(scratch.path("witness.pem"), "witness.example.org/w1", ["--cosignature"])
      let cosigned = try LoamBinary.run([
        "witness", "cosign", "--ledger", dir + "/ledger", "--witness-key", scratch.path("witness.pem"), "--name",
        "witness.example.org/w1",
        "--log-vkey", logVkey, "--state", scratch.path("w1.state"),
      ])
      guard cosigned.status == 0 else { throw FixtureError(message: "cosign: \(cosigned)") }
      let proved = try LoamBinary.run([
        "prove", BundleTests.bottle, "--ledger", dir + "/ledger", "-o", scratch.path("bundle.json"),
      ])
      guard proved.status == 0 else { throw FixtureError(message: "prove: \(proved)") }
      bundle =
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("bundle.json"))))
        as? [String: Any] ?? [:]
    }
  }

  static let setup = Result { try Setup() }

  func verify(_ bundle: [String: Any], _ extra: [String] = []) throws -> LoamBinary.Result {
    let setup = try Self.setup.get()
    let path = setup.scratch.path("candidate-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: bundle).write(to: URL(fileURLWithPath: path))
    return try LoamBinary.run(["verify-bundle", path, "--log-key", setup.logVkey] + extra)
  }

  var entries: [[String: Any]] { get throws { try Self.setup.get().bundle["entries"] as? [[String: Any]] ?? [] } }

  func with(entries: [[String: Any]]) throws -> [String: Any] {
    var bundle = try Self.setup.get().bundle
    bundle["entries"] = entries
    return bundle
  }

  @Test func theBundleVerifiesAndTellsTheSameStory() throws {
    let setup = try Self.setup.get()
    let policy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
      .appendingPathComponent("Ledger/policies/roc-like.json").path
    let result = try LoamBinary.run([
      "verify-bundle", setup.scratch.path("bundle.json"), "--log-key", setup.logVkey, "--witness", setup.witnessVkey, "--quorum",
      "1",
      "--policy", policy,
    ])
    #expect(result.status == 0, "\(result)")
    #expect(result.stdout.contains("cosigned by witness.example.org/w1"))
    let ledger = setup.scratch.path("demo/ledger")
    let trace = try LoamBinary.run(["trace", Self.bottle, "--ledger", ledger])
    let claim = try LoamBinary.run(["claim", Self.bottle, "--ledger", ledger, "--policy", policy])
    #expect(result.stdout.contains(trace.stdout))
    #expect(result.stdout.hasSuffix(claim.stdout))
    #expect(claim.stdout.contains("89.06 %"))
  }

  /// A hostile 1 GB file (sparse: it takes no disk) is read only up to the bundle limit, then refused.
  @Test func aHugeFileIsRefusedAtTheBundleLimit() throws {
    let setup = try Self.setup.get()
    let path = setup.scratch.path("huge.json")
    #expect(FileManager.default.createFile(atPath: path, contents: Data("[".utf8)))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: 1 << 30)
    try handle.close()
    let result = try LoamBinary.run(["verify-bundle", path, "--log-key", setup.logVkey])
    #expect(result.status == 2, "\(result)")
    #expect(result.stderr.contains("is larger than 16 MiB, the most a bundle may be"), "\(result)")
  }

  @Test func aChangedByteInAnyLineIsRefused() throws {
    let original = try entries
    for position in stride(from: 0, to: original.count, by: max(1, original.count / 12)) {
      var changed = original
      var line = Array((changed[position]["line"] as? String ?? "").utf8)
      line[line.count / 2] = line[line.count / 2] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
      changed[position]["line"] = String(decoding: line, as: UTF8.self)
      let result = try verify(try with(entries: changed))
      #expect(result.status == 1, "entry \(position): \(result)")
      #expect(result.stderr.contains("bundle.inclusion"), "entry \(position): \(result)")
    }
  }

  @Test func aChangedProofHashIsRefused() throws {
    var changed = try entries
    var proof = changed[5]["proof"] as? [String] ?? []
    proof[0] = Base64.encode(SHA256.hash(Array("not a node".utf8)).bytes)
    changed[5]["proof"] = proof
    let result = try verify(try with(entries: changed))
    #expect(result.status == 1)
    #expect(result.stderr.contains("bundle.inclusion"))
  }

  @Test func aRemovedHarvestAndAMissingEnrolmentAreRefused() throws {
    let original = try entries
    func statement(_ item: [String: Any]) throws -> Statement {
      try Statement(payload: try Entry(line: Array((item["line"] as? String ?? "").utf8)).envelope.payload)
    }
    let harvest = try #require(original.firstIndex { (try? statement($0))?.kind == .harvest })
    var withoutHarvest = original
    withoutHarvest.remove(at: harvest)
    let incomplete = try verify(try with(entries: withoutHarvest))
    #expect(incomplete.status == 1)
    #expect(incomplete.stderr.contains("bundle.incomplete"), "\(incomplete)")

    let enrolment = try #require(
      original.firstIndex { item in
        guard let s = try? statement(item), case .enroll(let spec) = s.body else { return false }
        return spec.id == "retailer:cave-paris"
      })
    var withoutEnrolment = original
    withoutEnrolment.remove(at: enrolment)
    let unknown = try verify(try with(entries: withoutEnrolment))
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("bundle.signer-unknown"), "\(unknown)")
  }

  @Test func checkpointsByAnotherKeyOrWithAnotherRootAreRefused() throws {
    let setup = try Self.setup.get()
    let note = try Note(parsing: Array((setup.bundle["checkpoint"] as? String ?? "").utf8))
    let checkpoint = try Checkpoint(text: note.text)
    // Signed by another key under the log's name.
    let impostor = try NoteSigner(name: Self.origin, privateKey: PrivateKey.generate())
    var bundle = setup.bundle
    bundle["checkpoint"] = try Note(text: note.text, signatures: [impostor.sign(text: note.text)]).serialized
    let otherKey = try verify(bundle)
    #expect(otherKey.status == 1)
    #expect(otherKey.stderr.contains("bundle.checkpoint"))
    // Signed by the real log key, but over another root.
    let logKey = try KeyFile.readPrivateKey(setup.scratch.path("demo/keys/log.pem"))
    let signer = try NoteSigner(name: Self.origin, privateKey: logKey)
    var other = checkpoint
    other.rootHash = SHA256.hash(Array("another tree".utf8))
    bundle["checkpoint"] = try Note(text: other.text, signatures: [signer.sign(text: other.text)]).serialized
    let otherRoot = try verify(bundle)
    #expect(otherRoot.status == 1)
    #expect(otherRoot.stderr.contains("bundle.inclusion"))
  }

  @Test func aQuorumNeedsRealCosignatures() throws {
    let setup = try Self.setup.get()
    let quorum = ["--witness", setup.witnessVkey, "--quorum", "1"]
    #expect(try verify(setup.bundle, quorum).status == 0)
    let note = try Note(parsing: Array((setup.bundle["checkpoint"] as? String ?? "").utf8))
    // Missing: the log's signature alone.
    var bundle = setup.bundle
    bundle["checkpoint"] = try Note(text: note.text, signatures: [note.signatures[0]]).serialized
    let missing = try verify(bundle, quorum)
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("bundle.quorum"))
    // Forged: the witness's line with a changed signature byte.
    var forgedSignatures = note.signatures
    forgedSignatures[1].signature[20] ^= 1
    bundle["checkpoint"] = try Note(text: note.text, signatures: forgedSignatures).serialized
    let forged = try verify(bundle, quorum)
    #expect(forged.status == 1)
    #expect(forged.stderr.contains("bundle.checkpoint"))
  }
}
