import Foundation
import LoamDemo

/// The demo supply chain written to a fresh temporary directory (`remove()` when done).
struct DemoLedger {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loam-store-\(UUID().uuidString)").path
  let built: DemoSupplyChain.Result

  init() throws {
    var demo = try DemoSupplyChain(directory: directory)
    built = try demo.build()
  }

  func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
