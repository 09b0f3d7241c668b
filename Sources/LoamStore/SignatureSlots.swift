import Dispatch
import Glibc
import LoamCore
import LoamCrypto
import Synchronization

extension Ledger {

  /// The signature results of one run of an append, checked ahead of the state rules.
  ///
  /// Helper threads (one per core but the caller's) claim the run a chunk at a time, in order,
  /// from its start to its end, without a barrier anywhere. The applying thread reads results in
  /// order; when the chunk it needs is not done, it claims and checks the next unclaimed chunk
  /// itself (the one it needs, or one after it) rather than wait. No core idles while the rules or
  /// the staging of rows run, and the helpers never wait on the rules.
  final class SignatureSlots: @unchecked Sendable {
    // @unchecked: each slot is written once, by the thread that claimed its chunk, before that
    // chunk's flag is set (release); it is read only after the flag is seen set (acquire).
    private let envelopes: [DSSEEnvelope]
    private let keys: [String: PublicKey]
    private let slots: UnsafeMutableBufferPointer<[SignatureResult]>
    /// Per chunk: set once all its slots are written.
    private let done: UnsafeMutablePointer<Atomic<Bool>>
    private let chunks: Int
    private let chunk: Int
    private let claims: ChunkClaims

    /// Starts helpers (which hold it until they are done) checking `envelopes`' signatures against
    /// `keys` (`.verify`), or records each as made when its key is known (`.signedHere`, at once,
    /// on this thread).
    init(_ envelopes: [DSSEEnvelope], keys: [String: PublicKey], check: Ledger.SignatureCheck, chunk: Int) {
      self.envelopes = envelopes
      self.keys = keys
      self.chunk = max(1, chunk)
      chunks = (envelopes.count + self.chunk - 1) / self.chunk
      claims = ChunkClaims(count: envelopes.count, chunk: self.chunk)
      slots = .allocate(capacity: max(envelopes.count, 1))
      slots.initialize(repeating: [])
      done = .allocate(capacity: max(chunks, 1))
      for index in 0..<max(chunks, 1) { (done + index).initialize(to: Atomic(false)) }
      if case .signedHere = check {
        for index in envelopes.indices {
          slots[index] = envelopes[index].signatures.map {
            SignatureResult(keyID: $0.keyID, valid: keys[$0.keyID].map { _ in true })
          }
        }
        claims.stop()
        for index in 0..<chunks { done[index].store(true, ordering: .relaxed) }
        return
      }
      // A few signatures (a single append): checked on this thread as they are read, without
      // waking workers.
      guard envelopes.count > 64 else { return }
      let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
      for _ in 0..<min(cores - 1, chunks) { DispatchQueue.global().async { self.help() } }
    }

    deinit {
      slots.deinitialize()
      slots.deallocate()
      done.deinitialize(count: max(chunks, 1))
      done.deallocate()
    }

    /// Hands out no more chunks (the run was given up): the helpers finish the chunk they hold and
    /// return. Nothing may be read afterwards.
    func stop() { claims.stop() }

    /// The results for envelope `index`, read in order by the one applying thread.
    subscript(index: Int) -> [SignatureResult] {
      let needed = index / chunk
      while !done[needed].load(ordering: .acquiring) {
        // None left to claim: a helper holds the one needed, near the run's end.
        if !checkNext() { sched_yield() }
      }
      return slots[index]
    }

    private func help() {
      while checkNext() {}
    }

    /// Claims the next chunk and checks it; false when none is left.
    private func checkNext() -> Bool {
      guard let range = claims.claim() else { return false }
      for position in range {
        slots[position] = LedgerState.checkSignatures(envelopes[position]) { keys[$0] }
      }
      done[range.lowerBound / chunk].store(true, ordering: .releasing)
      return true
    }
  }
}
