import Dispatch
import Glibc
public import LoamCore
public import LoamCrypto
import LoamVerify

/// A ledger directory (DESIGN.md, The on-disk ledger): `entries.jsonl` (the log), `checkpoint`
/// (the latest signed note, replaced atomically), `lock` (the writers' advisory lock) and
/// `state.sqlite` (the derived state and trace index, rebuildable from the log).
public final class Ledger: Sendable {
  public let directory: String
  public var entriesPath: String { directory + "/entries.jsonl" }
  public var checkpointPath: String { directory + "/checkpoint" }
  var lockPath: String { directory + "/lock" }
  /// The persisted derived state (rebuildable from the log).
  var statePath: String { directory + "/state.sqlite" }

  /// Seconds a writer waits for another writer to finish (environment `LOAM_LOCK_TIMEOUT`).
  public static var defaultLockTimeout: Double {
    getenv("LOAM_LOCK_TIMEOUT").flatMap { Double(String(cString: $0)) } ?? 10
  }

  /// How a batch is worked through (tests make the steps small).
  struct AppendTuning: Sendable {
    /// Signatures a thread claims at a time (`SignatureSlots`).
    var signatureChunk = 32
    /// Entries of a batch after which its state rows so far are staged (`StateStore.stage`).
    var stagedRows = 16_384
  }
  let tuning: AppendTuning

  /// Opens an existing ledger directory.
  public convenience init(directory: String) throws {
    try self.init(directory: directory, tuning: AppendTuning())
  }

  init(directory: String, tuning: AppendTuning) throws {
    self.directory = directory
    self.tuning = tuning
    guard FileIO.isDirectory(directory) else {
      throw StoreError(.notALedger, "no ledger at \(directory): the directory does not exist (create one with `loam init`)")
    }
    guard FileIO.exists(entriesPath) else {
      throw StoreError(.notALedger, "\(directory) is not a ledger: it has no entries.jsonl (create one with `loam init`)")
    }
  }

  private init(creating directory: String) {
    self.directory = directory
    tuning = AppendTuning()
  }

  // MARK: Create

  /// Creates a ledger whose entry 0 is the signed `genesis`; the checkpoint is signed with
  /// `logSigner`, which must be the genesis's log key.
  public static func create(directory: String, genesis: DSSEEnvelope, logSigner: NoteSigner, now: Timestamp) throws -> (
    Ledger, Entry
  ) {
    if FileIO.exists(directory) {
      guard FileIO.isDirectory(directory) else { throw StoreError(.exists, "\(directory) exists and is not a directory") }
      guard opendirIsEmpty(directory) else {
        throw StoreError(.exists, "\(directory) is not empty; a new ledger needs a new or empty directory")
      }
    } else if mkdir(directory, 0o755) != 0 {
      throw FileIO.ioError("creating", directory)
    }
    let ledger = Ledger(creating: directory)
    let lock = try LedgerLock(path: ledger.lockPath, timeout: 0)
    let entry = Entry(seq: 0, logged: now, prev: .zero, envelope: genesis)
    var state = LedgerState()
    state.trace = TraceIndex()
    state.trace?.locate(0, EntryLocation(offset: 0, length: entry.line.count))
    let findings = state.apply(
      entry, statement: Result { try Statement(payload: genesis.payload) }.mapError(Self.statementError),
      signatures: trusted(genesis, state: state, batchKeys: genesisKeys(genesis)))
    if let first = findings.first {
      try? removeCreated(ledger)
      throw StoreError(.refused, "the genesis is refused: \(first.message)")
    }
    guard state.logKey?.vkey == logSigner.verifier.vkey else {
      try? removeCreated(ledger)
      throw StoreError(.invalidInput, "the log key does not match the genesis's logKey \(state.logKey?.vkey ?? "")")
    }
    do {
      try ledger.writeLines([entry.line], expectedSize: 0)
      try ledger.writeCheckpoint(state: state, signer: logSigner)
      try StateStore(path: ledger.statePath).persist(state, headOffset: 0, logBytes: entry.line.count + 1, replaceAll: true)
    } catch {
      try? removeCreated(ledger)
      throw error
    }
    _ = lock
    return (ledger, entry)
  }

  private static func removeCreated(_ ledger: Ledger) throws {
    for path in [
      ledger.entriesPath, ledger.checkpointPath, ledger.checkpointPath + ".tmp", ledger.lockPath, ledger.statePath,
      ledger.statePath + "-wal", ledger.statePath + "-shm",
    ] { unlink(path) }
    rmdir(ledger.directory)
  }

  private static func opendirIsEmpty(_ path: String) -> Bool {
    guard let dir = opendir(path) else { return false }
    defer { closedir(dir) }
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
      if name != "." && name != ".." { return false }
    }
    return true
  }

  static func statementError(_ error: any Error) -> StatementError {
    (error as? StatementError) ?? StatementError("statement.malformed", "\(error)")
  }

  private static func genesisKeys(_ envelope: DSSEEnvelope) -> [String: PublicKey] {
    guard let statement = try? Statement(payload: envelope.payload), case .genesis(let genesis) = statement.body else {
      return [:]
    }
    return Dictionary(genesis.participants.flatMap(\.keys).map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// Checks an envelope's signatures cryptographically against the keys of the state and those
  /// a batch introduces.
  static func trusted(_ envelope: DSSEEnvelope, state: LedgerState, batchKeys: [String: PublicKey]) -> [SignatureResult] {
    LedgerState.checkSignatures(envelope) { state.keys[$0]?.publicKey ?? batchKeys[$0] }
  }
}
