import Foundation
import Testing

/// `loam key new` and `loam key show`, run as a user would run them.
@Suite struct KeyCommandTests {
  func keyID(in output: String) -> String? {
    output.split(separator: "\n").first { $0.hasPrefix("key id:") }.map { String($0.split(separator: " ").last!) }
  }

  @Test(arguments: [("ed25519", "ED25519"), ("p256", "prime256v1")])
  func newWritesA0600KeyThatOpenSSLReads(_ algorithm: String, _ opensslName: String) throws {
    let scratch = try Scratch()
    let result = try LoamBinary.run(["key", "new", "--alg", algorithm, "--out", "k.pem"], in: scratch.url)
    #expect(result.status == 0, "\(result)")
    #expect(result.stderr.contains("Wrote"))
    let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path("k.pem"))
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    let pem = String(decoding: try scratch.read("k.pem"), as: UTF8.self)
    #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    #expect(!result.stdout.contains("PRIVATE"))
    #expect(result.stdout.contains("-----BEGIN PUBLIC KEY-----"))

    let der = try openssl(["pkey", "-in", scratch.path("k.pem"), "-pubout", "-outform", "DER"])
    #expect(der.status == 0)
    #expect(keyID(in: result.stdout) == (try sha256sum(der.stdout)))
    let text = try openssl(["pkey", "-in", scratch.path("k.pem"), "-noout", "-text"])
    #expect(String(decoding: text.stdout, as: UTF8.self).contains(opensslName))
  }

  @Test func encryptedKeysNeedTheirPassphrase() throws {
    let scratch = try Scratch()
    let env = ["LOAM_PASS": "correct horse"]
    let created = try LoamBinary.run(
      ["key", "new", "--out", "k.pem", "--passphrase-env", "LOAM_PASS", "--json"], in: scratch.url, environment: env)
    #expect(created.status == 0, "\(created)")
    let pem = String(decoding: try scratch.read("k.pem"), as: UTF8.self)
    #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    #expect(!created.stdout.contains("correct horse") && !created.stderr.contains("correct horse"))

    let json = try #require(JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
    #expect(json["algorithm"] as? String == "ed25519")
    #expect(json["kind"] as? String == "private")
    let keyid = try #require(json["keyid"] as? String)

    let withOpenSSL = try openssl(
      ["pkey", "-in", scratch.path("k.pem"), "-passin", "env:LOAM_PASS", "-pubout", "-outform", "DER"], environment: env)
    #expect(withOpenSSL.status == 0)
    #expect(try sha256sum(withOpenSSL.stdout) == keyid)

    let shown = try LoamBinary.run(["key", "show", "k.pem", "--passphrase-env", "LOAM_PASS"], in: scratch.url, environment: env)
    #expect(shown.status == 0, "\(shown)")
    #expect(keyID(in: shown.stdout) == keyid)

    let missing = try LoamBinary.run(["key", "show", "k.pem"], in: scratch.url)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("encrypted") && missing.stderr.contains("--passphrase-env"), "\(missing)")

    let wrong = try LoamBinary.run(
      ["key", "show", "k.pem", "--passphrase-env", "LOAM_PASS"], in: scratch.url, environment: ["LOAM_PASS": "wrong"])
    #expect(wrong.status == 2)
    #expect(wrong.stderr.contains("passphrase does not decrypt"))
    #expect(wrong.stderr.split(separator: "\n").count == 1)

    let unset = try LoamBinary.run(
      ["key", "new", "--out", "other.pem", "--passphrase-env", "LOAM_UNSET_VARIABLE"], in: scratch.url)
    #expect(unset.status == 2)
    #expect(unset.stderr.contains("LOAM_UNSET_VARIABLE"))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("other.pem")))
  }

  @Test func newNeverOverwrites() throws {
    let scratch = try Scratch()
    try scratch.write("k.pem", Data("precious\n".utf8))
    let result = try LoamBinary.run(["key", "new", "--out", "k.pem"], in: scratch.url)
    #expect(result.status == 2)
    #expect(result.stderr.contains("already exists"))
    #expect(try scratch.read("k.pem") == Data("precious\n".utf8))
  }

  @Test(arguments: [0o640, 0o604, 0o660, 0o644, 0o666])
  func privateKeysOthersCanReadAreRefused(_ mode: Int) throws {
    let scratch = try Scratch()
    #expect(try LoamBinary.run(["key", "new", "--out", "k.pem"], in: scratch.url).status == 0)
    let shownBefore = try LoamBinary.run(["key", "show", "k.pem", "--json"], in: scratch.url)
    #expect(shownBefore.status == 0, "\(shownBefore)")
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: scratch.path("k.pem"))
    let pem = try scratch.read("k.pem")
    let body = String(decoding: pem, as: UTF8.self).split(separator: "\n")[1]
    try scratch.write("statement.json", Data(#"{"kind":"field","field":"urn:x","owner":"urn:y"}"#.utf8))

    for arguments in [["key", "show", "k.pem"], ["sign", "--key", "k.pem", "statement.json"]] {
      let refused = try LoamBinary.run(arguments, in: scratch.url)
      #expect(refused.status == 2, "\(arguments): \(refused)")
      #expect(refused.stdout.isEmpty, "\(arguments): \(refused)")
      #expect(refused.stderr.contains("mode \(String(mode, radix: 8))"), "\(arguments): \(refused)")
      #expect(refused.stderr.contains("chmod 600 k.pem"), "\(arguments): \(refused)")
      #expect(!refused.stderr.contains(body), "\(arguments): key material in an error")
    }
    // Nothing was changed; the suggested chmod is the whole fix.
    #expect(try scratch.read("k.pem") == pem)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: scratch.path("k.pem"))
    let shownAfter = try LoamBinary.run(["key", "show", "k.pem", "--json"], in: scratch.url)
    #expect(shownAfter.status == 0 && shownAfter.stdout == shownBefore.stdout, "\(shownAfter)")

    // A public key is public: any mode is fine.
    #expect(try openssl(["pkey", "-in", scratch.path("k.pem"), "-pubout", "-out", scratch.path("k.pub")]).status == 0)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: scratch.path("k.pub"))
    #expect(try LoamBinary.run(["key", "show", "k.pub"], in: scratch.url).status == 0)
  }

  @Test func passphrasesTypedOnTheTerminalAreNeverEchoed() throws {
    let scratch = try Scratch()
    let secret = "tilth-and-loam-42"
    let created = try Terminal.run(
      ["key", "new", "--out", "k.pem", "--ask-passphrase"], typing: [secret, secret], in: scratch.url)
    #expect(created.status == 0, "\(created)")
    #expect(created.screen.contains("New passphrase:") && created.screen.contains("Repeat passphrase:"), "\(created)")
    #expect(!created.screen.contains(secret), "the passphrase was echoed: \(created)")
    let pem = String(decoding: try scratch.read("k.pem"), as: UTF8.self)
    #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    let withOpenSSL = try openssl(
      ["pkey", "-in", scratch.path("k.pem"), "-passin", "env:P", "-pubout", "-outform", "DER"], environment: ["P": secret])
    #expect(withOpenSSL.status == 0)
    let keyid = try sha256sum(withOpenSSL.stdout)

    // Reading the encrypted key without --passphrase-env asks on the terminal, silently.
    let shown = try Terminal.run(["key", "show", "k.pem"], typing: [secret], in: scratch.url)
    #expect(shown.status == 0, "\(shown)")
    #expect(shown.screen.contains("Passphrase for k.pem:") && shown.screen.contains(keyid), "\(shown)")
    #expect(!shown.screen.contains(secret), "the passphrase was echoed: \(shown)")
    let wrong = try Terminal.run(["key", "show", "k.pem"], typing: ["not-it"], in: scratch.url)
    #expect(wrong.status == 2 && wrong.screen.contains("passphrase does not decrypt"), "\(wrong)")
    #expect(!wrong.screen.contains("not-it"), "the passphrase was echoed: \(wrong)")

    #expect(shown.echo, "echo was not restored: \(shown)")

    // Ctrl-C at the prompt exits as interrupted and gives the terminal its echo back.
    let interrupted = try Terminal.run(["key", "show", "k.pem"], typing: ["\u{3}"], in: scratch.url)
    #expect(interrupted.status == 128 + SIGINT && interrupted.echo, "\(interrupted)")

    // Two different passphrases write nothing.
    let differ = try Terminal.run(
      ["key", "new", "--out", "other.pem", "--ask-passphrase"], typing: [secret, "typo"], in: scratch.url)
    #expect(differ.status == 2 && differ.screen.contains("differ"), "\(differ)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("other.pem")))
  }

  @Test func showPrintsTheVerifierKeyForALogName() throws {
    let scratch = try Scratch()
    // An openssl-made Ed25519 key, shown under a log name: the vkey's key id follows C2SP.
    #expect(try openssl(["genpkey", "-algorithm", "ed25519", "-out", scratch.path("log.pem")]).status == 0)
    let result = try LoamBinary.run(
      ["key", "show", "log.pem", "--name", "example.org/loam/coop-2026", "--json"], in: scratch.url)
    #expect(result.status == 0, "\(result)")
    let json = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let vkey = try #require(json["vkey"] as? String)
    let parts = vkey.split(separator: "+", maxSplits: 2)
    #expect(parts[0] == "example.org/loam/coop-2026")
    let material = try #require(Data(base64Encoded: String(parts[2])))
    #expect(material.count == 33 && material.first == 0x01)
    let hashed = Data("example.org/loam/coop-2026".utf8) + Data([0x0A]) + material
    #expect(try sha256sum(hashed).prefix(8) == parts[1])

    // The public half shows the same key id; a P-256 key has no Ed25519 vkey.
    #expect(try openssl(["pkey", "-in", scratch.path("log.pem"), "-pubout", "-out", scratch.path("log.pub")]).status == 0)
    let publicShown = try LoamBinary.run(["key", "show", "log.pub", "--json"], in: scratch.url)
    let publicJSON = try #require(JSONSerialization.jsonObject(with: Data(publicShown.stdout.utf8)) as? [String: Any])
    #expect(publicJSON["keyid"] as? String == json["keyid"] as? String)
    #expect(publicJSON["kind"] as? String == "public")
    #expect(try LoamBinary.run(["key", "new", "--alg", "p256", "--out", "p.pem"], in: scratch.url).status == 0)
    let p256 = try LoamBinary.run(["key", "show", "p.pem", "--name", "x"], in: scratch.url)
    #expect(p256.status == 2)
    #expect(p256.stderr.contains("Ed25519"))
  }

  @Test func badInputGetsOneSentenceAndExit2() throws {
    let scratch = try Scratch()
    #expect(try LoamBinary.run(["key", "new", "--out", "good.pem"], in: scratch.url).status == 0)
    let good = try scratch.read("good.pem")
    try scratch.write("truncated.pem", good.prefix(good.count / 2))
    #expect(
      try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", scratch.path("p384.pem")]).status
        == 0)
    try FileManager.default.createDirectory(atPath: scratch.path("adir"), withIntermediateDirectories: false)
    try scratch.write("unreadable.pem", good)
    try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: scratch.path("unreadable.pem"))
    try scratch.write("notakey.pem", Data("hello\n".utf8))

    let cases: [(arguments: [String], asNobody: Bool, mentions: String)] = [
      (["key", "show", "truncated.pem"], false, "truncated"),
      (["key", "show", "p384.pem"], false, "secp384r1"),
      (["key", "show", "adir"], false, "directory"),
      (["key", "show", "missing.pem"], false, "does not exist"),
      (["key", "show", "notakey.pem"], false, "notakey.pem"),
      (["key", "show", scratch.path("unreadable.pem")], getuid() == 0, "permission denied"),
      (["key", "new"], false, "--out"),
      (["key", "new", "--out", "x.pem", "--alg", "rsa"], false, "rsa"),
      (["key", "frobnicate"], false, "frobnicate"),
    ]
    for item in cases {
      let result = try LoamBinary.run(item.arguments, in: scratch.url, asNobody: item.asNobody)
      #expect(result.status == 2, "\(item.arguments): \(result)")
      #expect(result.stdout.isEmpty, "\(item.arguments): \(result)")
      #expect(result.stderr.contains(item.mentions), "\(item.arguments): \(result)")
      #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(item.arguments)")
      if item.arguments.first == "key", item.arguments.count > 1, item.arguments[1] == "show" {
        #expect(result.stderr.hasPrefix("loam: "), "\(item.arguments): \(result)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(item.arguments): \(result)")
      }
    }
  }

  @Test func helpIsEverywhereAndNamesTheExitCodes() throws {
    let root = try LoamBinary.run(["--help"])
    #expect(root.status == 0)
    #expect(root.stdout.contains("Exit status: 0 success, 1 verification found problems, 2 usage error"))
    for command in [["key", "--help"], ["key", "new", "--help"], ["key", "show", "--help"], ["help", "key", "new"]] {
      let result = try LoamBinary.run(command)
      #expect(result.status == 0, "\(command)")
      #expect(result.stdout.contains("USAGE:"), "\(command)")
    }
  }
}
