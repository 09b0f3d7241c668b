/// The statement kinds of DESIGN.md's table.
public enum StatementKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
  case genesis, enroll, keys, field, practice, measurement, certify, harvest, transform, ship, receive, observe, sell, correct,
    policy

  public var description: String { rawValue }

  /// The kind named `name`, byte for byte (as `init(rawValue:)`, without its string switch).
  static func named(_ name: String) -> StatementKind? {
    for (literal, kind) in names where FieldReader.isNamed(name, literal) { return kind }
    return nil
  }

  private static let names: [(StaticString, StatementKind)] = [
    ("receive", .receive), ("ship", .ship), ("transform", .transform), ("harvest", .harvest), ("practice", .practice),
    ("certify", .certify), ("sell", .sell), ("measurement", .measurement), ("field", .field), ("enroll", .enroll),
    ("keys", .keys), ("observe", .observe), ("correct", .correct), ("policy", .policy), ("genesis", .genesis),
  ]
}

/// The roles a participant may hold.
public enum Role: String, Hashable, Sendable, CaseIterable {
  case admin, grower, agronomist, lab, certifier, auditor, processor, brand, retailer, distributor, witness
}

/// Farming practices a `practice` statement may record.
public enum PracticeKind: String, Hashable, Sendable, CaseIterable {
  case coverCrop = "cover-crop"
  case noTill = "no-till"
  case reducedTill = "reduced-till"
  case compost
  case managedGrazing = "managed-grazing"
  case cropRotation = "crop-rotation"
  case agroforestry
  case hedgerow
  case noSyntheticInputs = "no-synthetic-inputs"
  case other
}

/// A document kept off the ledger, its hash on it.
public struct Evidence: Hashable, Sendable {
  public var sha256: String
  public var uri: String?
  public var mediaType: String?
}
