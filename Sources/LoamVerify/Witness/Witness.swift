import LoamCore
public import LoamCrypto

/// What a witness remembers of a log: the largest checkpoint it has cosigned.
public struct WitnessState: Hashable, Sendable, Codable {
  public var origin: String
  public var size: UInt64
  public var root: SHA256Digest

  public init(origin: String, size: UInt64, root: SHA256Digest) {
    self.origin = origin
    self.size = size
    self.root = root
  }
}

/// A witness's verdict on a new checkpoint (C2SP tlog-witness semantics).
public enum WitnessVerdict: Hashable, Sendable {
  /// Consistent with everything seen: cosign it.
  case cosign
  /// The log showed a smaller tree than before, or another tree of the same size: two histories.
  case conflict(String)
  /// The consistency proof from the last cosigned tree does not hold: the history was rewritten.
  case inconsistent(String)
}

public enum Witness {
  /// Decides on `checkpoint`, given what the witness last cosigned and a consistency proof from
  /// that tree to this one (ignored when the sizes are equal).
  public static func judge(_ checkpoint: Checkpoint, last: WitnessState?, proof: [SHA256Digest]) -> WitnessVerdict {
    guard let last else { return .cosign }
    guard last.origin == checkpoint.origin else {
      return .conflict("the checkpoint is for \(checkpoint.origin), this witness state for \(last.origin)")
    }
    if checkpoint.size < last.size {
      return .conflict("rollback: the checkpoint has \(checkpoint.size) entries, but \(last.size) were cosigned before")
    }
    if checkpoint.size == last.size {
      return checkpoint.rootHash == last.root
        ? .cosign
        : .conflict("fork: another tree of \(last.size) entries was cosigned before (root \(last.root.hex.prefix(12))…)")
    }
    do {
      try MerkleProof.verifyConsistency(
        size1: last.size, size2: checkpoint.size, proof: proof, root1: last.root, root2: checkpoint.rootHash)
      return .cosign
    } catch {
      return .inconsistent(
        "the tree of \(checkpoint.size) entries does not extend the one of \(last.size) cosigned before (\(error)): the history was rewritten"
      )
    }
  }

  /// Counts valid cosignatures by `witnesses` on a checkpoint note that verifies with `logKey`.
  /// A cosignature line by a listed witness that does not verify rejects the note (C2SP).
  public static func cosigners(of note: Note, logKey: NoteVerifier, witnesses: [NoteVerifier]) throws -> [NoteVerifier] {
    let verification = try note.verify([logKey] + witnesses)
    guard verification.verified.contains(where: { $0.verifier == logKey }) else {
      throw NoteError(.noVerifiableSignature, "the checkpoint is not signed by the log key \(logKey.vkey)")
    }
    return verification.verified.map(\.verifier).filter { $0.type == .cosignatureV1 && witnesses.contains($0) }
  }
}
