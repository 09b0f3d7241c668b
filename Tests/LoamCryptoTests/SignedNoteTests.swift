import Foundation
import LoamCrypto
import Testing

/// Every case of `signed-note/notes.json`: C2SP, Go sumdb, Sigstore, Pixel and static-ct notes.
@Suite struct SignedNoteTests {
  struct Case: CustomStringConvertible {
    var file: String
    var vkeys: [String]
    var types: [String]
    var result: String
    var verifiedBy: [String]
    var raw: [String: Any]
    var description: String { file }
  }

  static func cases() throws -> [Case] {
    let document = try Vectors.json("signed-note/notes.json")
    let notes = try #require(document["notes"] as? [[String: Any]])
    return notes.map { note in
      let keys = note["verifierKeys"] as? [[String: Any]] ?? []
      let expected = note["expected"] as? [String: Any] ?? [:]
      return Case(
        file: note["file"] as? String ?? "",
        vkeys: keys.compactMap { $0["vkey"] as? String },
        types: keys.compactMap { $0["signatureType"] as? String },
        result: expected["result"] as? String ?? "",
        verifiedBy: expected["verifiedBy"] as? [String] ?? [],
        raw: note)
    }
  }

  @Test func allTwelveNotesGiveTheirExpectedResult() throws {
    let cases = try Self.cases()
    #expect(cases.count == 12)
    for testCase in cases {
      let note = try Note(parsing: try Vectors.bytes("signed-note/\(testCase.file)"))
      // Type 0x05 (RFC 6962 STH) is not a type Loam verifies: its key is unknown to Loam.
      let verifiers = zip(testCase.vkeys, testCase.types).compactMap { vkey, type in
        type == "0x05" ? nil : try? NoteVerifier(vkey: vkey)
      }
      #expect(verifiers.count == testCase.types.filter { $0 != "0x05" }.count, "\(testCase)")
      let outcome = Result { try note.verify(verifiers) }
      switch testCase.result {
      case "valid":
        let verification = try outcome.get()
        #expect(verification.verified.map(\.verifier.name) == testCase.verifiedBy, "\(testCase)")
      case "invalid":
        #expect(noteCode(outcome) == .invalidSignature, "\(testCase)")
      case "reject", "reject-no-known-key", "valid-for-type-0x05-verifiers":
        #expect(noteCode(outcome) == .noVerifiableSignature, "\(testCase)")
      default:
        Issue.record("unknown expectation \(testCase.result) for \(testCase)")
      }
      // Parsing then serializing gives the file back byte for byte.
      #expect(Array(note.serialized.utf8) == (try Vectors.bytes("signed-note/\(testCase.file)")), "\(testCase)")
    }
  }

  @Test func parseOnlyExpectations() throws {
    let intro = try Note(parsing: try Vectors.bytes("signed-note/c2sp-signed-note-intro-nokey.note"))
    #expect(intro.text.split(separator: "\n", omittingEmptySubsequences: false).count - 1 == 4)
    #expect(intro.signatures.map(\.name) == ["quasimodo.example/salvatore"])

    let checkpointNote = try Note(parsing: try Vectors.bytes("signed-note/c2sp-tlog-checkpoint-example.note"))
    let checkpoint = try Checkpoint(text: checkpointNote.text)
    #expect(checkpoint.origin == "example.com/behind-the-sofa")
    #expect(checkpoint.size == 20_852_163)
    #expect(Base64.encode(checkpoint.rootHash.bytes) == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")

    let cosigned = try Note(parsing: try Vectors.bytes("signed-note/c2sp-tlog-cosignature-example.note"))
    #expect(cosigned.signatures.count == 2)
    #expect(cosigned.signatures[1].signature.count == 8 + 64)  // timestamp ‖ Ed25519 signature

    let sumdb = try Note(parsing: try Vectors.bytes("signed-note/sumgolang-tree-6476701.note"))
    let tree = try Checkpoint(text: sumdb.text)
    #expect(tree.origin == "go.sum database tree")
    #expect(tree.size == 6_476_701)
    #expect(Base64.encode(tree.rootHash.bytes) == "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=")
  }

  @Test func onlyPetersKeyVerifiesOneAndIgnoresTheOther() throws {
    let note = try Note(parsing: try Vectors.bytes("signed-note/gosumdb-note-peter-and-enoch.note"))
    let peter = try NoteVerifier(vkey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    let enoch = try NoteVerifier(vkey: "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop")
    let verification = try note.verify([peter])
    #expect(verification.verified.map(\.verifier.name) == ["PeterNeumann"])
    #expect(verification.unverified.map(\.name) == ["EnochRoot"])
    #expect(noteCode(Result { try note.verify([]) }) == .noVerifiableSignature)
    #expect(try note.verify([peter, enoch]).verified.count == 2)
  }

  @Test func resigningWithThePublishedKeysReproducesTheBytes() throws {
    let file = try Vectors.bytes("signed-note/gosumdb-note-peter-and-enoch.note")
    let note = try Note(parsing: file)
    let peter = try NoteSigner(goSignerKey: "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
    let enoch = try NoteSigner(
      name: "EnochRoot", privateKey: PrivateKey(ed25519Seed: SecureBytes([UInt8](repeating: 0, count: 32))))
    #expect(enoch.verifier.vkey == "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop")
    let resigned = try Note(text: note.text, signatures: [peter.sign(text: note.text), enoch.sign(text: note.text)])
    #expect(Array(resigned.serialized.utf8) == file)
  }

  @Test func verifierKeysRoundTripAndCheckTheirID() throws {
    for testCase in try Self.cases() {
      for (vkey, type) in zip(testCase.vkeys, testCase.types) where type != "0x05" {
        #expect(try NoteVerifier(vkey: vkey).vkey == vkey)
      }
    }
    // A key id that does not match the key.
    #expect(throws: NoteError.self) {
      try NoteVerifier(vkey: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    }
    #expect(throws: NoteError.self) {
      try NoteVerifier(vkey: "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    }
    #expect(throws: NoteError.self) { try NoteVerifier(vkey: "PeterNeumann+c74f20a3") }
    // An Ed25519 key of the wrong length.
    #expect(throws: NoteError.self) { try NoteVerifier(vkey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10") }
  }

  @Test func ambiguousVerifiersAreAnError() throws {
    let note = try Note(parsing: try Vectors.bytes("signed-note/gosumdb-note-peter-and-enoch.note"))
    let peter = try NoteVerifier(vkey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    let enoch = try NoteVerifier(vkey: "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop")
    // notes.json: "With the EnochRoot verifier listed twice: error 'ambiguous key EnochRoot+af0cfe78'".
    do {
      _ = try note.verify([peter, enoch, enoch])
      Issue.record("expected an ambiguous-key error")
    } catch let error as NoteError {
      #expect(error.code == .ambiguousKey)
      #expect(error.message == "ambiguous key EnochRoot+af0cfe78")
    }
  }

  @Test func malformedNotesAreRefused() throws {
    let document = try Vectors.json("signed-note/notes.json")
    let malformed = try #require((document["malformedNotes"] as? [String: Any])?["cases"] as? [[String: Any]])
    #expect(malformed.count >= 8)
    for item in malformed {
      let bytes = try #require(Data(base64Encoded: item["noteBase64"] as? String ?? ""))
      #expect(throws: NoteError.self, "\(item["description"] ?? "")") { try Note(parsing: [UInt8](bytes)) }
    }
  }

  /// transparency-dev/formats accepts any root bytes and empty extension lines; C2SP says the
  /// root is a hash and extension lines are non-empty. Loam is strict: those "valid" bodies fail.
  @Test func checkpointBodies() throws {
    let document = try Vectors.json("signed-note/notes.json")
    let bodies = try #require(document["checkpointBodies"] as? [String: Any])
    let cases = try #require(bodies["cases"] as? [[String: Any]])
    for item in cases {
      let text = item["text"] as? String ?? ""
      let wantErr = item["wantErr"] as? Bool ?? true
      let rootIs32Bytes =
        text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).first
        .flatMap { Base64.decode($0) }?.count == 32
      let hasEmptyExtension = (item["rest"] as? String ?? "").contains("\n\n") || (item["rest"] as? String) == "\n\n\n"
      let strictWantErr = wantErr || !rootIs32Bytes || hasEmptyExtension
      let parsed = Result { try Checkpoint(text: text) }
      if strictWantErr {
        #expect(throws: NoteError.self, "\(item["desc"] ?? "")") { try parsed.get() }
      } else {
        let checkpoint = try parsed.get()
        #expect(checkpoint.origin == item["origin"] as? String)
        #expect(checkpoint.size == UInt64(item["size"] as? Int ?? -1))
        #expect(checkpoint.text == text)
      }
    }
    let goTree = try #require(bodies["goSumdbTreeFormat"] as? [String: Any])
    let tree = try Checkpoint(text: goTree["text"] as? String ?? "")
    #expect(tree.size == 123_456_789_012)
    #expect(tree.rootHash == SHA256.hash(prefix: 0x00, Array("hello world".utf8)))
    #expect(tree.text == goTree["text"] as? String)
  }

  @Test func strictCheckpointRules() throws {
    let root = Base64.encode(SHA256.hash([UInt8]()).bytes)
    #expect(try Checkpoint(text: "example.org/loam\n0\n\(root)\n").size == 0)
    #expect(throws: NoteError.self) { try Checkpoint(text: "example.org/loam\n007\n\(root)\n") }
    #expect(throws: NoteError.self) { try Checkpoint(text: "example.org/loam\n18446744073709551616\n\(root)\n") }
    #expect(throws: NoteError.self) { try Checkpoint(text: "example.org/loam\n1\n\(root)\n\n") }
    #expect(throws: NoteError.self) { try Checkpoint(text: "example.org/loam\n1\n\(root)") }
    #expect(try Checkpoint(text: "example.org/loam\n1\n\(root)\next\n").extensions == ["ext"])
  }
}

@Suite struct CosignatureTests {
  @Test func witnessCosignsACheckpointAndVerifiersCheckIt() throws {
    let checkpoint = Checkpoint(origin: "example.org/loam/coop-2026", size: 42, rootHash: SHA256.hash(Array("root".utf8)))
    let log = try NoteSigner(name: "example.org/loam/coop-2026", privateKey: PrivateKey.generate())
    let witness = try NoteSigner(name: "witness.example.org/certifier", privateKey: PrivateKey.generate(), type: .cosignatureV1)
    #expect(witness.verifier.vkey.contains("+"))
    #expect(try NoteVerifier(vkey: witness.verifier.vkey) == witness.verifier)

    var note = try Note(text: checkpoint.text, signatures: [log.sign(text: checkpoint.text)])
    note.signatures.append(try witness.sign(text: checkpoint.text, timestamp: 1_679_315_147))
    let reparsed = try Note(parsing: Array(note.serialized.utf8))
    let verification = try reparsed.verify([log.verifier, witness.verifier])
    #expect(verification.verified.count == 2)
    #expect(verification.verified[1].timestamp == 1_679_315_147)
    #expect(try Checkpoint(text: reparsed.text) == checkpoint)

    // The cosignature covers the timestamp: changing it breaks the signature.
    var forged = reparsed
    forged.signatures[1].signature[7] ^= 1
    #expect(noteCode(Result { try forged.verify([log.verifier, witness.verifier]) }) == .invalidSignature)

    // A plain Ed25519 verifier with the witness's key has another key id: the cosignature is unknown to it.
    let plain = try NoteVerifier(name: witness.name, publicKey: witness.privateKey.publicKey, type: .ed25519)
    #expect(plain.keyID != witness.keyID)
    #expect(noteCode(Result { try reparsed.verify([plain]) }) == .noVerifiableSignature)
  }

  @Test func theSignedMessageIsTheC2SPForm() {
    let message = Cosignature.message(text: Array("example.com/behind-the-sofa\n20852163\nCsUY\n".utf8), timestamp: 1_679_315_147)
    #expect(
      String(decoding: message, as: UTF8.self) == "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUY\n"
    )
  }
}

func noteCode<T>(_ result: Result<T, any Error>) -> NoteError.Code? {
  guard case .failure(let error) = result else { return nil }
  return (error as? NoteError)?.code
}
