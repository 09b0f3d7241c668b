public import LoamCore
public import LoamCrypto

/// A sourcing policy (Ledger/policies/SCHEMA.md): which certifications, practices and
/// measurements make a harvest count as compliant, and how much product a process may make from
/// a compliant input.
public struct SourcingPolicy: Hashable, Sendable {
  public struct PracticeRequirement: Hashable, Sendable {
    public var practice: PracticeKind
    /// In at least `seasons` of the last `outOf` seasons before the harvest.
    public var seasons: Int
    public var outOf: Int
  }

  public struct MeasurementRequirement: Hashable, Sendable {
    public var metric: String
    /// Sampled at most this many months before the harvest.
    public var withinMonths: Int
    /// When set, the value must be at least this.
    public var minimum: ExactDecimal?
  }

  public struct YieldBound: Hashable, Sendable {
    public var process: String
    /// At most `maxOutput` of product per `perInput` of input.
    public var maxOutput: Quantity
    public var perInput: Quantity
  }

  public var name: String
  public var description: String?
  /// Accepted certification standards (any one suffices).
  public var standards: [String]
  /// Trusted certifiers' participant ids; empty means any certifier.
  public var certifiers: [String]
  /// Whether a certification must be valid on the harvest date.
  public var certificationRequired: Bool
  public var practices: [PracticeRequirement]
  public var measurements: [MeasurementRequirement]
  public var yieldBounds: [YieldBound]

  /// Standards a policy may name: Regenerative Organic Certified, Land to Market Ecological
  /// Outcome Verification, organic, regenagri, Demeter, Certified Regenerative (A Greener World);
  /// others must be written with an `x-` prefix, so a typo is not silently a new standard.
  public static let knownStandards: Set<String> = ["ROC", "EOV", "organic", "regenagri", "demeter", "certified-regenerative"]

  public init(json value: JSONValue) throws {
    func fail(_ path: String, _ message: String) -> StatementError { StatementError("policy.malformed", message, path: path) }
    guard let object = value.objectValue else { throw fail("$", "a policy is a JSON object") }
    let allowed: Set<String> = [
      "name", "description", "standards", "certifiers", "certificationRequired", "practices", "measurements", "yieldBounds",
    ]
    for key in object.keys where !allowed.contains(key) { throw fail("$", "unknown member \"\(key)\"") }
    guard let name = object["name"]?.stringValue, !name.isEmpty else { throw fail("$.name", "a policy needs a non-empty name") }
    self.name = name
    description = object["description"]?.stringValue
    func strings(_ key: String) throws -> [String] {
      guard let value = object[key] else { return [] }
      guard let array = value.arrayValue else { throw fail("$.\(key)", "must be an array of strings") }
      return try array.enumerated().map { index, item in
        guard let text = item.stringValue, !text.isEmpty else { throw fail("$.\(key)[\(index)]", "must be a non-empty string") }
        return text
      }
    }
    standards = try strings("standards")
    for (index, standard) in standards.enumerated() where !Self.knownStandards.contains(standard) && !standard.hasPrefix("x-") {
      throw fail(
        "$.standards[\(index)]",
        "unknown standard \"\(standard)\" (known: \(Self.knownStandards.sorted().joined(separator: ", ")); name others x-…)")
    }
    certifiers = try strings("certifiers")
    if let required = object["certificationRequired"] {
      guard let flag = required.boolValue else { throw fail("$.certificationRequired", "must be true or false") }
      certificationRequired = flag
    } else {
      certificationRequired = true
    }
    if certificationRequired && standards.isEmpty {
      throw fail("$.standards", "name at least one standard when certification is required")
    }
    func integer(_ value: JSONValue?, _ path: String, minimum: Int) throws -> Int {
      guard let number = value?.numberValue?.int64, number >= minimum, number <= 100 else {
        throw fail(path, "must be an integer from \(minimum) to 100")
      }
      return Int(number)
    }
    practices = try (object["practices"]?.arrayValue ?? []).enumerated().map { index, item in
      let path = "$.practices[\(index)]"
      guard let text = item["practice"]?.stringValue, let practice = PracticeKind(rawValue: text) else {
        throw fail(path + ".practice", "must be one of \(PracticeKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      let seasons = try integer(item["seasons"], path + ".seasons", minimum: 1)
      let outOf = try integer(item["outOf"] ?? item["seasons"], path + ".outOf", minimum: seasons)
      return PracticeRequirement(practice: practice, seasons: seasons, outOf: outOf)
    }
    measurements = try (object["measurements"]?.arrayValue ?? []).enumerated().map { index, item in
      let path = "$.measurements[\(index)]"
      guard let metric = item["metric"]?.stringValue, !metric.isEmpty else {
        throw fail(path + ".metric", "must be a metric name")
      }
      let months = try integer(item["withinMonths"], path + ".withinMonths", minimum: 1)
      var minimum: ExactDecimal? = nil
      if let value = item["minimum"] {
        guard let number = value.numberValue.flatMap(ExactDecimal.init) else { throw fail(path + ".minimum", "must be a number") }
        minimum = number
      }
      return MeasurementRequirement(metric: metric, withinMonths: months, minimum: minimum)
    }
    yieldBounds = try (object["yieldBounds"]?.arrayValue ?? []).enumerated().map { index, item in
      let path = "$.yieldBounds[\(index)]"
      guard let process = item["process"]?.stringValue, !process.isEmpty else {
        throw fail(path + ".process", "must name a process")
      }
      func quantity(_ key: String) throws -> Quantity {
        guard let q = item[key], let number = q["value"]?.numberValue.flatMap(ExactDecimal.init), number.isPositive,
          let unit = q["uom"]?.stringValue, UnitCode.known[unit] != nil
        else {
          throw fail(path + "." + key, "must be {\"value\": positive number, \"uom\": a unit Loam converts}")
        }
        return Quantity(number, unit)
      }
      return YieldBound(process: process, maxOutput: try quantity("maxOutput"), perInput: try quantity("perInput"))
    }
  }

  public init(bytes: [UInt8]) throws {
    do {
      try self.init(json: try JSONValue(parsing: bytes))
    } catch let error as JSONError {
      throw StatementError("policy.malformed", "the policy is not valid JSON: \(error)")
    }
  }
}
