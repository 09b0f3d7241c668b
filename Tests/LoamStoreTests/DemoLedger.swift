import Foundation
import LoamCrypto
import LoamDemo

/// The demo supply chain written to a fresh temporary directory (`remove()` when done).
struct DemoLedger {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loam-store-\(UUID().uuidString)").path
  let built: DemoSupplyChain.Result

  init() throws {
    var demo = try DemoSupplyChain(directory: directory)
    built = try demo.build()
  }

  /// The demo log's checkpoint signer.
  func logSigner() throws -> NoteSigner {
    try NoteSigner(name: DemoSupplyChain.origin, privateKey: try KeyFile.readPrivateKey(built.keysDirectory + "/log.pem"))
  }

  func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
