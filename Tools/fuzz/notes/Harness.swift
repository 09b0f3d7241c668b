// Fuzz harness: C2SP signed notes, checkpoints, verifier keys and base64.
// Build and run: Tools/fuzz.sh notes [seconds]
import Foundation
import LoamCrypto

let verifier = try! NoteVerifier(vkey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if let note = try? Note(parsing: bytes) {
    // A parsed note serializes back to exactly its bytes.
    precondition(Array(note.serialized.utf8) == bytes, "a parsed note does not serialize back to its bytes")
    _ = try? note.verify([verifier])
    if let checkpoint = try? Checkpoint(text: note.text) {
      precondition(checkpoint.text == note.text, "a parsed checkpoint does not format back to its text")
    }
  }
  let text = String(decoding: bytes, as: UTF8.self)
  _ = try? NoteVerifier(vkey: text)
  _ = try? Checkpoint(text: text)
  if let decoded = Base64.decode(text) {
    precondition(Base64.encode(decoded) == text, "base64 decoding is not canonical")
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
