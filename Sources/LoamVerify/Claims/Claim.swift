public import LoamCore
import LoamCrypto

/// The result of `loam claim`: the share of a lot's input that comes from harvests meeting a
/// policy at harvest time, and the story of each origin.
public struct Claim: Sendable {
  public struct Origin: Sendable {
    public var lot: String
    public var field: String
    public var harvest: TraceEvent
    /// The fraction of the claimed lot that comes from this harvest.
    public var weight: Rational
    public var compliant: Bool
    /// The entries that show compliance (certifications, practices, measurements).
    public var evidence: [TraceEvent]
    /// Why a failing origin fails.
    public var reasons: [String]
  }

  public var lot: String
  public var policy: SourcingPolicy
  /// Compliant fraction of the lot, after yield bounds.
  public var share: Rational
  public var origins: [Origin]
  /// Yield bounds that capped a transform, and other remarks.
  public var notes: [String]
}

public struct ClaimError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}

/// Evaluates a policy over a backward trace, in exact arithmetic.
public struct ClaimEvaluator {
  let policy: SourcingPolicy
  let tracer: Tracer
  private var notes: [String] = []
  private var verdicts: [UInt64: (Bool, [TraceEvent], [String])] = [:]

  public init(policy: SourcingPolicy, tracer: Tracer) {
    self.policy = policy
    self.tracer = tracer
  }

  public mutating func claim(_ lot: String) throws -> Claim {
    let trace = try tracer.backward(lot)
    let (share, weights) = try evaluate(trace)
    var origins: [Claim.Origin] = []
    var seen: Set<UInt64> = []
    for harvestTrace in trace.harvests {
      guard let origin = harvestTrace.origin, case .harvest(let harvest) = origin.statement.body, seen.insert(origin.seq).inserted
      else { continue }
      let (compliant, evidence, reasons) = try verdict(origin, harvest)
      origins.append(
        Claim.Origin(
          lot: harvestTrace.lot, field: harvest.field, harvest: origin, weight: weights[origin.seq] ?? .zero,
          compliant: compliant,
          evidence: evidence, reasons: reasons))
    }
    return Claim(lot: lot, policy: policy, share: share, origins: origins, notes: notes)
  }

  private func overflow() -> ClaimError {
    ClaimError(message: "the trace is too deep for exact arithmetic (128-bit fractions overflowed)")
  }

  /// The compliant fraction of a lot, and the fraction of it each harvest contributes.
  private mutating func evaluate(_ trace: LotTrace) throws -> (Rational, [UInt64: Rational]) {
    guard let origin = trace.origin, !trace.cycle else {
      notes.append(
        trace.cycle
          ? "lot \(trace.lot) is its own ancestor (a hand-forged ledger): counted as non-compliant"
          : "no entry created lot \(trace.lot): counted as non-compliant")
      return (.zero, [:])
    }
    if origin.voided {
      notes.append("the entry that created lot \(trace.lot) [entry \(origin.seq)] was corrected: counted as non-compliant")
      return (.zero, [:])
    }
    switch origin.statement.body {
    case .harvest(let harvest):
      let (compliant, _, _) = try verdict(origin, harvest)
      return (compliant ? .one : .zero, [origin.seq: .one])
    case .transform(let transform):
      guard let first = transform.inputs.first else { return (.zero, [:]) }
      let unit = first.quantity.unit
      var total = Rational.zero
      var amounts: [Rational] = []
      for input in transform.inputs {
        guard let amount = try comparable(input.quantity, in: unit, transform: transform) else {
          throw ClaimError(
            message:
              "transform [entry \(origin.seq)] mixes inputs of different dimensions (\(first.quantity) and \(input.quantity)); declare a conversion on the transform, e.g. \"conversions\": [{\"from\": {\"value\": 1, \"uom\": \"\(input.quantity.unit)\"}, \"to\": {\"value\": …, \"uom\": \"\(unit)\"}}]"
          )
        }
        guard let sum = total + amount else { throw overflow() }
        amounts.append(amount)
        total = sum
      }
      guard total.numerator > 0 else { return (.zero, [:]) }
      var share = Rational.zero
      var compliantInput = Rational.zero
      var weights: [UInt64: Rational] = [:]
      for (input, amount) in zip(trace.inputs, amounts) {
        let (inputShare, inputWeights) = try evaluate(input.trace)
        guard let fraction = amount / total, let part = fraction * inputShare, let sum = share + part,
          let compliantPart = amount * inputShare, let compliantSum = compliantInput + compliantPart
        else { throw overflow() }
        share = sum
        compliantInput = compliantSum
        for (seq, weight) in inputWeights {
          guard let scaled = fraction * weight, let added = (weights[seq] ?? .zero) + scaled else { throw overflow() }
          weights[seq] = added
        }
      }
      return (try bounded(share, compliantInput: compliantInput, inputUnit: unit, transform: transform, origin: origin), weights)
    default:
      return (.zero, [:])
    }
  }

  /// `quantity` in `unit`: converted within its dimension, or across dimensions through a
  /// conversion the transform declares (read in either direction); nil when neither applies.
  private func comparable(_ quantity: Quantity, in unit: String, transform: Transform) throws -> Rational? {
    if let converted = quantity.converted(to: unit) { return Rational(converted) }
    for conversion in transform.conversions {
      for (from, to) in [(conversion.from, conversion.to), (conversion.to, conversion.from)] {
        // quantity → from's unit → (× to/from) → to's unit → unit.
        guard let inFrom = quantity.converted(to: from.unit), let amount = Rational(inFrom), let fromValue = Rational(from.value),
          let toValue = Rational(to.value), let ratio = toValue / fromValue, let inTo = amount * ratio,
          let scale = Quantity(ExactDecimal(1), to.unit).converted(to: unit), let factor = Rational(scale),
          let result = inTo * factor
        else { continue }
        return result
      }
    }
    return nil
  }

  /// Caps the compliant output at what the policy's yield bound allows from the compliant input.
  private mutating func bounded(
    _ share: Rational, compliantInput: Rational, inputUnit: String, transform: Transform, origin: TraceEvent
  ) throws -> Rational {
    guard let bound = policy.yieldBounds.first(where: { $0.process == transform.process }) else { return share }
    let outputUnit = bound.maxOutput.unit
    var totalOutput = Rational.zero
    for output in transform.outputs {
      guard let converted = output.quantity.converted(to: outputUnit) else {
        throw ClaimError(
          message:
            "output \(output.lot) (\(output.quantity)) of [entry \(origin.seq)] cannot be compared with the yield bound in \(outputUnit)"
        )
      }
      guard let amount = Rational(converted), let sum = totalOutput + amount else { throw overflow() }
      totalOutput = sum
    }
    guard let inputInBoundUnit = Quantity(compliantInput.decimal(digits: 12), inputUnit).converted(to: bound.perInput.unit) else {
      throw ClaimError(
        message:
          "the inputs of [entry \(origin.seq)] (\(inputUnit)) cannot be compared with the yield bound per \(bound.perInput.unit)")
    }
    guard let maxOutput = Rational(bound.maxOutput.value), let perInput = Rational(bound.perInput.value),
      let input = Rational(inputInBoundUnit),
      let ratio = maxOutput / perInput, let allowed = ratio * input, let claimed = share * totalOutput, totalOutput.numerator > 0
    else { return share }
    guard allowed < claimed, let capped = allowed / totalOutput else { return share }
    notes.append(
      "yield bound: \(transform.process) makes at most \(bound.maxOutput) per \(bound.perInput); [entry \(origin.seq)] claimed \(claimed.decimal(digits: 3)) \(outputUnit) of compliant output from \(inputInBoundUnit) \(bound.perInput.unit) of compliant input, so only \(allowed.decimal(digits: 3)) \(outputUnit) counts"
    )
    return capped
  }

  /// Whether a harvest meets the policy, with the evidence and the reasons it fails.
  private mutating func verdict(_ origin: TraceEvent, _ harvest: Harvest) throws -> (Bool, [TraceEvent], [String]) {
    if let cached = verdicts[origin.seq] { return cached }
    let time = origin.statement.time
    // Only what can matter: the oldest season or measurement window any requirement looks at.
    let months = max(policy.practices.map { 12 * $0.outOf }.max() ?? 0, policy.measurements.map(\.withinMonths).max() ?? 0)
    let events = try tracer.events(ofField: harvest.field, bearingOnHarvestAt: time, since: time.adding(months: -months))
    var evidence: [TraceEvent] = []
    var reasons: [String] = []
    let day = String(time.description.prefix(10))
    if policy.certificationRequired {
      let valid = events.filter { event in
        guard case .certify(let c) = event.statement.body, c.subject == .field(harvest.field) else { return false }
        return policy.standards.contains(c.standard) && c.validFrom <= time && time <= c.validUntil
          && (policy.certifiers.isEmpty || policy.certifiers.contains(event.statement.actor))
      }
      if let first = valid.first {
        evidence.append(first)
      } else {
        reasons.append(
          "no \(policy.standards.joined(separator: " or ")) certification\(policy.certifiers.isEmpty ? "" : " by \(policy.certifiers.joined(separator: ", "))") valid on \(day)"
        )
      }
    }
    for requirement in policy.practices {
      var seasons = 0
      // Season k is the year that ends k−1 years before the harvest.
      for k in 1...requirement.outOf {
        let end = time.adding(months: -12 * (k - 1))
        let start = time.adding(months: -12 * k)
        let matching = events.filter { event in
          guard case .practice(let p) = event.statement.body, p.practice == requirement.practice else { return false }
          return p.end > start && p.end <= end
        }
        if let first = matching.first {
          seasons += 1
          evidence.append(first)
        }
      }
      if seasons < requirement.seasons {
        reasons.append(
          "\(requirement.practice.rawValue) in \(seasons) of the last \(requirement.outOf) seasons (needs \(requirement.seasons))"
        )
      }
    }
    for requirement in policy.measurements {
      let earliest = time.adding(months: -requirement.withinMonths)
      let matching = events.filter { event in
        guard case .measurement(let m) = event.statement.body, m.metric == requirement.metric else { return false }
        return m.sampled <= time && m.sampled >= earliest && (requirement.minimum.map { !(m.value < $0) } ?? true)
      }
      if let last = matching.last {
        evidence.append(last)
      } else {
        reasons.append(
          "no \(requirement.metric) measurement\(requirement.minimum.map { " of at least \($0)" } ?? "") in the \(requirement.withinMonths) months before \(day)"
        )
      }
    }
    var unique: [UInt64: TraceEvent] = [:]
    for event in evidence { unique[event.seq] = event }
    let result = (reasons.isEmpty, unique.values.sorted { $0.seq < $1.seq }, reasons)
    verdicts[origin.seq] = result
    return result
  }
}
