import LoamCrypto

extension Statement {
  static func describe(_ subject: Certification.Subject) -> String {
    switch subject {
    case .field(let id): "field \(id)"
    case .lot(let id): "lot \(id)"
    case .participant(let id): id
    }
  }

  /// One line for people: what the statement says (kind-specific).
  public var summary: String {
    switch body {
    case .genesis(let g): "origin \(g.origin), admins \(g.participants.map(\.id).joined(separator: ", "))"
    case .enroll(let p): "\(p.id) (\(p.roles.map(\.rawValue).sorted().joined(separator: ", ")))"
    case .keys(let k): "\(k.participant): +\(k.add.count) key(s), revoked \(k.revoke.count)"
    case .field(let f): "field \(f.id) \"\(f.name)\" \(f.area)"
    case .practice(let p): "\(p.practice.rawValue) on \(p.field) \(p.start)…\(p.end)"
    case .measurement(let m): "\(m.metric) = \(m.value) \(m.unit) on \(m.field)"
    case .certify(let c): "\(c.standard) for \(Statement.describe(c.subject)) until \(c.validUntil)"
    case .harvest(let h): "lot \(h.lot): \(h.quantity) \(h.product) from \(h.field)"
    case .transform(let t):
      "\(t.process): \(t.inputs.map { "\($0.lot) \($0.quantity)" }.joined(separator: " + ")) → \(t.outputs.map { "\($0.lot) \($0.quantity)" }.joined(separator: ", "))"
    case .ship(let s): "\(s.quantity) of \(s.lot) to \(s.to)"
    case .receive(let r): "\(r.quantity) of shipment \(r.shipment.hex.prefix(12))…"
    case .observe(let o): "lot \(o.lot)"
    case .sell(let s): "\(s.quantity) of \(s.lot)\(s.items.isEmpty ? "" : ", \(s.items.count) item(s)")"
    case .correct(let c): "voids \(c.entry.hex.prefix(12))…: \(c.reason)"
    case .policy(let p): "policy \(p["name"]?.stringValue ?? "")"
    }
  }
}
