// Fuzz harness: the JSON parser and RFC 8785 canonicalization, then statements and entry lines.
// Build and run (TOOLCHAIN.md): Tools/fuzz.sh json [seconds]
import Foundation
import LoamCore
import LoamCrypto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if let value = try? JSONValue(parsing: bytes) {
    // Canonical output must parse back to an equal value and be a fixed point.
    if let canonical = try? JCS.canonicalize(value, numbers: .roundToDouble) {
      let again = try! JSONValue(parsing: canonical)
      precondition(try! JCS.canonicalize(again, numbers: .roundToDouble) == canonical, "canonical form is not a fixed point")
    }
    _ = try? Statement(json: value)
  }
  _ = try? Entry(line: bytes)
  _ = try? DSSEEnvelope(parsing: bytes)
  return 0
}

#if !FUZZING
  /// Without libFuzzer: replays the files given as arguments (a corpus or a crash) through the harness.
  @main enum Replay {
    static func main() throws {
      for path in CommandLine.arguments.dropFirst() {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
      }
    }
  }
#endif
