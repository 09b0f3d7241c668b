// Fuzz harness: key decoding (PEM PKCS#8, encrypted PKCS#8, SEC1, SPKI, DER) through OpenSSL.
// Build and run: Tools/fuzz.sh keys [seconds]
import Foundation
import LoamCrypto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let secure = SecureBytes(bytes)
  if let key = try? AnyKey(encoded: secure, passphrase: SecureBytes(Array("fuzz".utf8))) {
    // Whatever loads must give a usable public key whose encoding reloads to the same key.
    let reloaded = try! PublicKey(spkiDER: key.publicKey.spkiDER)
    precondition(reloaded == key.publicKey, "a loaded key does not round-trip")
  }
  _ = try? PublicKey(encoded: bytes)
  _ = try? PublicKey(ed25519Raw: bytes)
  _ = try? ECDSASignature.der(fromP1363: bytes)
  return 0
}

#if !FUZZING
  @main enum Replay {
    static func main() throws {
      for path in CommandLine.arguments.dropFirst() {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
      }
    }
  }
#endif
