import FoundationEssentials
import Glibc
public import LoamCrypto
public import LoamVerify

/// Witness cosignatures gathered into the ledger's checkpoint, and a witness's own state file.
extension Ledger {
  /// Adds `cosignature` to the checkpoint note, replacing an older line by the same key, provided
  /// the checkpoint is still the one the witness judged (`expected`); under the writers' lock.
  public func addCosignature(
    _ cosignature: NoteSignature, toCheckpoint expected: [UInt8], lockTimeout: Double = Ledger.defaultLockTimeout
  ) throws {
    let lock = try LedgerLock(path: lockPath, timeout: lockTimeout)
    defer { _ = lock }
    guard let current = try checkpointBytes(), current == expected else {
      throw StoreError(.refused, "the checkpoint changed while it was being cosigned; cosign the new one")
    }
    var note = try Note(parsing: current)
    note.signatures.removeAll { $0.name == cosignature.name && $0.keyID == cosignature.keyID }
    note.signatures.append(cosignature)
    try FileIO.replaceAtomically(checkpointPath, directory: directory, with: Array(note.serialized.utf8))
  }
}

/// A witness's memory of one log, kept in a JSON file replaced atomically.
public enum WitnessStateFile {
  public static func load(_ path: String) throws -> WitnessState? {
    guard let bytes = try FileIO.readFile(path) else { return nil }
    do {
      return try JSONDecoder().decode(WitnessState.self, from: Data(bytes))
    } catch {
      throw StoreError(.invalidInput, "\(path) is not a witness state file: \(error)")
    }
  }

  public static func save(_ state: WitnessState, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    try FileIO.replaceAtomically(path, directory: directory.isEmpty ? "/" : directory, with: Array(try encoder.encode(state)))
  }
}
