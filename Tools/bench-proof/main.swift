// loam-bench-proof: what one inclusion proof costs on a ledger, without the process start that
// `loam proof inclusion` also pays: opening the ledger and its derived state, checking the stored
// tree against the checkpoint, then proving entries. Build and run in release:
//   swift run -c release loam-bench-proof LEDGER_DIR [PROOFS=1000]
import Dispatch
import Foundation
import LoamCore
import LoamCrypto
import LoamStore

func milliseconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
  FileHandle.standardError.write(Data("usage: loam-bench-proof LEDGER_DIR [PROOFS=1000]\n".utf8))
  exit(2)
}
let count = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
var start = DispatchTime.now().uptimeNanoseconds
let ledger = try Ledger(directory: arguments[1])
let note = try Note(parsing: try ledger.checkpointBytes() ?? [])
let checkpoint = try Checkpoint(text: note.text)
let state = try ledger.currentState()
let opened = milliseconds(since: start)
start = DispatchTime.now().uptimeNanoseconds
let prover = try ledger.inclusionProver(size: checkpoint.size, root: checkpoint.rootHash, state: state)
let setUp = milliseconds(since: start)
var generator = SystemRandomNumberGenerator()
var times: [Double] = []
for _ in 0..<count {
  let seq = UInt64.random(in: 0..<checkpoint.size, using: &generator)
  start = DispatchTime.now().uptimeNanoseconds
  let proof = try prover(seq)
  times.append(milliseconds(since: start))
  precondition(!proof.isEmpty || checkpoint.size == 1)
}
times.sort()
print(
  String(
    format:
      "%llu entries: open ledger and state %.2f ms, check stored tree %.2f ms, one proof median %.3f ms (p99 %.3f ms) over %d random entries",
    checkpoint.size, opened, setUp, times[times.count / 2], times[times.count * 99 / 100], count))
