// Fuzz harness: proof bundles (loam-bundle/v1) and the RFC 9162 proofs in them, as
// `loam verify-bundle` reads them: strict JSON, the bundle's shape, the checkpoint, each
// entry's inclusion proof, the signer history and the trace; and consistency proof files, as
// `loam witness cosign --proof` reads them.
// Build and run: Tools/fuzz.sh bundles [seconds] (it seeds a demo bundle and its log key).
import Foundation
import LoamCore
import LoamCrypto
import LoamVerify

/// The log key the seed bundle was signed with (LOAM_FUZZ_VKEY), so that mutations of the
/// entries and proofs reach past the checkpoint's signature.
let logKey: NoteVerifier = {
  let vkey =
    ProcessInfo.processInfo.environment["LOAM_FUZZ_VKEY"]
    ?? "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
  return try! NoteVerifier(vkey: vkey)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let json = try? JSONParser().parse(bytes) else { return 0 }
  // A consistency proof file (`loam witness cosign --proof`): round-trips, and checking it never traps.
  if let file = try? ConsistencyProofFile(json: json) {
    precondition((try? ConsistencyProofFile(json: file.json)) == file, "a consistency proof file does not round-trip")
    _ = file.verify()
  }
  guard let bundle = try? Bundle(json: json) else { return 0 }
  // A parsed bundle writes back to JSON that parses to the same bundle.
  let again = try? Bundle(json: bundle.json)
  precondition(again?.json == bundle.json, "a parsed bundle does not round-trip through its JSON")
  _ = try? BundleVerifier.verify(bundle, logKey: logKey)
  // Proof arithmetic on the fuzzed sizes and indices must never trap.
  for item in bundle.entries.prefix(8) {
    _ = try? MerkleProof.verifyInclusion(
      leaf: MerkleHash.leaf(item.line), index: item.index, size: item.index &+ 1, proof: item.proof,
      root: MerkleHash.empty)
  }
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
