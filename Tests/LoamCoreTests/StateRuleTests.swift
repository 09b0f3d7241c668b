import LoamCore
import LoamCrypto
import Testing

/// DESIGN.md's "actor must be" column and the state rules, statement by statement.
@Suite struct StateRuleTests {
  /// A field of grower:a with a 1000 KGM harvest held by grower:a.
  func withHarvest(compact: Bool = false) -> Chain {
    var chain = Chain.standard(compact: compact)
    #expect(
      chain.apply(
        ["kind": "field", "actor": "grower:a", "field": ["id": "f1", "name": "North", "area": quantity(2, "HAR")]], by: "grower:a"
      ) == [])
    #expect(
      chain.apply(
        [
          "kind": "harvest", "actor": "grower:a", "field": "f1", "lot": "L1", "product": "grapes",
          "quantity": quantity(1000, "KGM"),
        ], by: "grower:a") == [])
    return chain
  }

  @Test func aSmallSupplyChainBalances() throws {
    var chain = withHarvest()
    #expect(
      chain.apply(
        ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(600, "KGM"), "to": "winery:w"], by: "grower:a")
        == [])
    let ship = chain.lastID
    #expect(chain.state.holding(of: "L1", by: "grower:a") == ExactDecimal(400))
    // Partial receipt in another unit of the same dimension.
    #expect(
      chain.apply(
        [
          "kind": "receive", "actor": "winery:w", "shipment": .string(ship),
          "quantity": ["value": .number(JSONNumber(literal: "0.5")!), "uom": "TNE"],
        ], by: "winery:w") == [])
    #expect(chain.state.holding(of: "L1", by: "winery:w") == ExactDecimal(500))
    #expect(
      codes(
        chain.apply(
          ["kind": "receive", "actor": "winery:w", "shipment": .string(ship), "quantity": quantity(101, "KGM")], by: "winery:w"))
        == ["state.over-received"])
    #expect(
      chain.apply(
        ["kind": "receive", "actor": "winery:w", "shipment": .string(ship), "quantity": quantity(100, "KGM")], by: "winery:w")
        == [])
    #expect(
      chain.apply(
        [
          "kind": "transform", "actor": "winery:w", "process": "pressing",
          "inputs": [["lot": "L1", "quantity": quantity(600, "KGM")]],
          "outputs": [["lot": "M1", "product": "must", "quantity": quantity(420, "LTR")]],
        ], by: "winery:w") == [])
    #expect(chain.state.holding(of: "L1", by: "winery:w") == .zero)
    #expect(chain.state.holding(of: "M1", by: "winery:w") == ExactDecimal(420))
    #expect(
      chain.apply(
        [
          "kind": "sell", "actor": "winery:w", "lot": "M1", "quantity": quantity(20, "LTR"),
          "items": ["https://id.gs1.org/01/09506000134352/21/1"],
        ], by: "winery:w") == [])
    #expect(chain.state.holding(of: "M1", by: "winery:w") == ExactDecimal(400))
    #expect(
      chain.apply(["kind": "observe", "actor": "lab:soil", "lot": "M1", "observation": ["brix": 22]], by: "lab:soil") == [])
  }

  @Test func authority() {
    var chain = withHarvest()
    // A grower may not enroll, certify, or publish policies.
    #expect(
      codes(
        chain.apply(
          [
            "kind": "enroll", "actor": "grower:a",
            "participant": [
              "id": "x", "name": "X", "roles": ["grower"], "keys": [.string(try! PrivateKey.generate().publicKey.pem)],
            ],
          ], by: "grower:a")) == ["policy.unauthorized"])
    #expect(
      codes(
        chain.apply(
          [
            "kind": "certify", "actor": "grower:a", "subject": ["field": "f1"], "standard": "ROC",
            "valid": ["from": "2026-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"],
          ], by: "grower:a")) == ["policy.unauthorized"])
    #expect(
      codes(chain.apply(["kind": "policy", "actor": "grower:a", "policy": ["name": "mine"]], by: "grower:a")) == [
        "policy.unauthorized"
      ])
    // Harvesting, or logging practices on, another's field.
    #expect(
      codes(
        chain.apply(
          [
            "kind": "harvest", "actor": "grower:b", "field": "f1", "lot": "L2", "product": "grapes",
            "quantity": quantity(1, "KGM"),
          ], by: "grower:b")) == ["policy.unauthorized"])
    #expect(
      codes(
        chain.apply(
          [
            "kind": "practice", "actor": "grower:b", "field": "f1", "practice": "no-till",
            "period": ["start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"],
          ], by: "grower:b")) == ["policy.unauthorized"])
    // A lab may measure any field; a certifier may certify; a brand may publish a policy.
    #expect(
      chain.apply(
        [
          "kind": "measurement", "actor": "lab:soil", "field": "f1", "metric": "soil-organic-carbon", "value": 3,
          "unit": "percent", "method": "dry-combustion", "sampled": "2026-08-01T00:00:00Z",
        ], by: "lab:soil") == [])
    #expect(
      chain.apply(
        [
          "kind": "certify", "actor": "certifier:roc", "subject": ["field": "f1"], "standard": "ROC",
          "valid": ["from": "2026-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"],
        ], by: "certifier:roc") == [])
    #expect(chain.apply(["kind": "policy", "actor": "brand:x", "policy": ["name": "roc-like"]], by: "brand:x") == [])
    // Only a grower registers fields.
    #expect(
      codes(
        chain.apply(
          ["kind": "field", "actor": "winery:w", "field": ["id": "f9", "name": "Nine", "area": quantity(1, "HAR")]],
          by: "winery:w")) == ["policy.unauthorized"])
  }

  @Test func signatures() throws {
    var chain = withHarvest()
    let statement: JSONValue = [
      "kind": "field", "actor": "grower:a", "field": ["id": "f2", "name": "South", "area": quantity(1, "HAR")],
    ]
    // Signed by another participant's key: not the actor's.
    #expect(codes(chain.apply(statement, by: "grower:b")) == ["sig.not-actor"])
    // Signed by a key nobody holds.
    #expect(codes(chain.apply(statement, by: "grower:a", keys: [try PrivateKey.generate()])) == ["sig.unknown-key"])
    // A signature copied from another entry.
    var envelope = chain.entries[chain.entries.count - 3].envelope
    envelope.signatures = chain.entries[2].envelope.signatures
    #expect(
      codes(chain.apply(envelope: envelope, logged: chain.clock.adding(seconds: 1))).contains {
        $0 == "sig.invalid" || $0 == "sig.not-actor"
      })
    // Co-signed by the actor and a stranger: every signature must be by a known key.
    #expect(
      codes(chain.apply(statement, by: "grower:a", keys: [chain.keys["grower:a"]!, try PrivateKey.generate()])) == [
        "sig.unknown-key"
      ])
    #expect(chain.apply(statement, by: "grower:a", keys: [chain.keys["grower:a"]!, chain.keys["lab:soil"]!]) == [])
  }

  @Test func rotationAndRevocation() throws {
    var chain = withHarvest()
    let old = chain.keys["grower:a"]!
    let new = try PrivateKey.generate(.ecdsaP256SHA256)
    let revokeFrom = chain.clock.adding(seconds: 120)
    #expect(
      chain.apply(
        [
          "kind": "keys", "actor": "grower:a", "participant": "grower:a", "add": [.string(new.publicKey.pem)],
          "revoke": [["keyid": .string(old.publicKey.keyID), "from": .string(revokeFrom.description)]],
        ], by: "grower:a") == [])
    let statement: JSONValue = [
      "kind": "practice", "actor": "grower:a", "field": "f1", "practice": "compost",
      "period": ["start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"],
    ]
    // Before `from` the old key still signs; at or after it, it signs nothing.
    #expect(chain.apply(statement, by: "grower:a", logged: revokeFrom.adding(seconds: -1)) == [])
    #expect(codes(chain.apply(statement, by: "grower:a", logged: revokeFrom)) == ["sig.revoked-key"])
    #expect(chain.apply(statement, by: "grower:a", logged: revokeFrom, keys: [new]) == [])
    // Another grower may not change grower:a's keys; an admin may.
    #expect(
      codes(
        chain.apply(
          [
            "kind": "keys", "actor": "grower:b", "participant": "grower:a",
            "add": [.string(try PrivateKey.generate().publicKey.pem)],
          ], by: "grower:b")) == ["policy.unauthorized"])
  }

  @Test func massBalanceAndCustody() {
    var chain = withHarvest()
    #expect(
      codes(
        chain.apply(
          ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(1001, "KGM"), "to": "winery:w"], by: "grower:a")
      ) == ["state.overdrawn"])
    #expect(
      codes(
        chain.apply(
          ["kind": "ship", "actor": "grower:b", "lot": "L1", "quantity": quantity(1, "KGM"), "to": "winery:w"], by: "grower:b"))
        == ["state.not-custodian"])
    #expect(
      codes(chain.apply(["kind": "sell", "actor": "grower:a", "lot": "nope", "quantity": quantity(1, "KGM")], by: "grower:a"))
        == ["state.unknown-lot"])
    #expect(
      codes(
        chain.apply(
          ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "LTR"), "to": "winery:w"], by: "grower:a"))
        == ["state.unit-mismatch"])
    #expect(
      codes(
        chain.apply(
          [
            "kind": "harvest", "actor": "grower:a", "field": "f1", "lot": "L1", "product": "grapes",
            "quantity": quantity(5, "KGM"),
          ], by: "grower:a")) == ["state.duplicate-lot"])
    #expect(
      codes(
        chain.apply(
          ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "KGM"), "to": "nobody"], by: "grower:a"))
        == ["state.unknown-participant"])
    // A refused statement changes nothing.
    #expect(chain.state.holding(of: "L1", by: "grower:a") == ExactDecimal(1000))
  }

  @Test func timeRules() {
    var chain = withHarvest()
    let logged = chain.clock.adding(seconds: 60)
    // More than 5 minutes in the future of its logged time.
    #expect(
      codes(
        chain.apply(
          [
            "kind": "sell", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "KGM"),
            "time": .string(logged.adding(seconds: 301).description),
          ], by: "grower:a", logged: logged)) == ["statement.future-time"])
    #expect(
      chain.apply(
        [
          "kind": "sell", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "KGM"),
          "time": .string(logged.adding(seconds: 300).description),
        ], by: "grower:a", logged: logged) == [])
    // Selling before the lot existed.
    #expect(
      codes(
        chain.apply(
          ["kind": "sell", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "KGM"), "time": "2020-01-01T00:00:00Z"],
          by: "grower:a")) == ["state.time-before-cause"])
    // A logged time that goes backwards breaks the chain rule.
    #expect(
      codes(
        chain.apply(
          ["kind": "sell", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "KGM"), "time": "2026-09-01T00:00:00Z"],
          by: "grower:a", logged: Timestamp("2026-09-01T00:00:00Z")!)
      ).contains("chain.logged-decreasing"))
  }

  /// With full entry records, and with compact ones whose effects are read back from the log.
  @Test(arguments: [false, true]) func correctionsVoidAndReverse(compact: Bool) {
    var chain = withHarvest(compact: compact)
    #expect(
      chain.apply(
        ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(300, "KGM"), "to": "winery:w"], by: "grower:a")
        == [])
    let ship = chain.lastID
    #expect(chain.state.holding(of: "L1", by: "grower:a") == ExactDecimal(700))
    // Only the original actor or an admin may correct.
    #expect(
      codes(chain.apply(["kind": "correct", "actor": "grower:b", "entry": .string(ship), "reason": "no"], by: "grower:b")) == [
        "policy.unauthorized"
      ])
    #expect(
      chain.apply(["kind": "correct", "actor": "grower:a", "entry": .string(ship), "reason": "wrong truck"], by: "grower:a") == []
    )
    #expect(chain.state.holding(of: "L1", by: "grower:a") == ExactDecimal(1000))
    #expect(chain.state.shipments.isEmpty)
    #expect(
      codes(
        chain.apply(
          ["kind": "receive", "actor": "winery:w", "shipment": .string(ship), "quantity": quantity(1, "KGM")], by: "winery:w"))
        == ["state.unknown-shipment"])
    #expect(
      codes(chain.apply(["kind": "correct", "actor": "grower:a", "entry": .string(ship), "reason": "again"], by: "grower:a")) == [
        "state.correction-refused"
      ])
    // A harvest whose lot was sold on cannot be undone until the sale is.
    #expect(
      chain.apply(["kind": "sell", "actor": "grower:a", "lot": "L1", "quantity": quantity(600, "KGM")], by: "grower:a") == [])
    let harvest = chain.entries.first { (try? Statement(payload: $0.envelope.payload))?.kind == .harvest }!.id.hex
    #expect(
      codes(chain.apply(["kind": "correct", "actor": "grower:a", "entry": .string(harvest), "reason": "x"], by: "grower:a")) == [
        "state.correction-refused"
      ])
    // Registrations cannot be corrected.
    #expect(
      codes(
        chain.apply(["kind": "correct", "actor": "coop", "entry": .string(chain.entries[1].id.hex), "reason": "x"], by: "coop"))
        == ["state.correction-refused"])
  }

  /// Undoing every kind of movement gives the same findings and holdings whether the state keeps
  /// each entry's effect or recomputes it from the statement read back (`EntryTable`).
  @Test func compactEntriesUndoLikeFullRecords() throws {
    func run(compact: Bool) -> (findings: [[String]], holdings: [ExactDecimal], received: ExactDecimal?) {
      var chain = withHarvest(compact: compact)
      var findings: [[String]] = []
      func step(_ statement: JSONValue, _ by: String) -> String {
        findings.append(codes(chain.apply(statement, by: by)))
        return chain.lastID
      }
      let ship = step(
        ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(600, "KGM"), "to": "winery:w"], "grower:a")
      let receive = step(
        [
          "kind": "receive", "actor": "winery:w", "shipment": .string(ship),
          "quantity": ["value": .number(JSONNumber(literal: "0.5")!), "uom": "TNE"],
        ], "winery:w")
      let press = step(
        [
          "kind": "transform", "actor": "winery:w", "process": "pressing",
          "inputs": [["lot": "L1", "quantity": quantity(400, "KGM")]],
          "outputs": [["lot": "M1", "product": "must", "quantity": quantity(280, "LTR")]],
        ], "winery:w")
      let sale = step(["kind": "sell", "actor": "winery:w", "lot": "M1", "quantity": quantity(30, "LTR")], "winery:w")
      // Out of order first (refused: the must was sold on), then newest first.
      _ = step(["kind": "correct", "actor": "winery:w", "entry": .string(press), "reason": "early"], "winery:w")
      for (target, by) in [(sale, "winery:w"), (press, "winery:w"), (receive, "winery:w")] {
        _ = step(["kind": "correct", "actor": .string(by), "entry": .string(target), "reason": "audit"], by)
      }
      let received = chain.state.shipments.values.first?.received
      _ = step(["kind": "correct", "actor": "grower:a", "entry": .string(ship), "reason": "audit"], "grower:a")
      let holdings = [
        chain.state.holding(of: "L1", by: "grower:a"), chain.state.holding(of: "L1", by: "winery:w"),
        chain.state.holding(of: "M1", by: "winery:w"),
      ]
      return (findings, holdings, received)
    }
    let full = run(compact: false)
    let compact = run(compact: true)
    #expect(full.findings == compact.findings)
    #expect(full.holdings == compact.holdings)
    #expect(full.received == compact.received)
    // The story itself: only the early correction refused, everything back with the grower.
    #expect(full.findings.filter { !$0.isEmpty } == [["state.correction-refused"]])
    #expect(full.holdings == [ExactDecimal(1000), .zero, .zero])
    #expect(full.received == .zero)
  }

  /// A compact state drops used-up lots and wholly received shipments and rebuilds them from the
  /// log when an entry touches them again: every finding (code and message), holding and count is
  /// the same as a state that keeps every record, through use-up, reuse attempts and revival by
  /// corrections.
  @Test func compactLotsAndShipmentsRebuildLikeFullRecords() throws {
    func run(compact: Bool) -> (findings: [[String]], holdings: [ExactDecimal], lots: Int, outstanding: [ExactDecimal?]) {
      var chain = withHarvest(compact: compact)
      var findings: [[String]] = []
      var outstanding: [ExactDecimal?] = []
      func step(_ statement: JSONValue, _ by: String) -> String {
        findings.append(chain.apply(statement, by: by).map { "\($0.code): \($0.message)" })
        return chain.lastID
      }
      // The whole lot shipped in tonnes (L1 now held by nobody), received whole in kilograms.
      let ship = step(
        ["kind": "ship", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "TNE"), "to": "winery:w"], "grower:a")
      let receive = step(
        ["kind": "receive", "actor": "winery:w", "shipment": .string(ship), "quantity": quantity(1000, "KGM")], "winery:w")
      let press = step(
        [
          "kind": "transform", "actor": "winery:w", "process": "pressing",
          "inputs": [["lot": "L1", "quantity": quantity(1000, "KGM")]],
          "outputs": [["lot": "M1", "product": "must", "quantity": quantity(700, "LTR")]],
        ], "winery:w")
      let sale = step(["kind": "sell", "actor": "winery:w", "lot": "M1", "quantity": quantity(700, "LTR")], "winery:w")
      // Touching the used-up lots and the received shipment again: each refused, naming them.
      _ = step(["kind": "sell", "actor": "winery:w", "lot": "L1", "quantity": quantity(1, "KGM")], "winery:w")
      _ = step(
        [
          "kind": "harvest", "actor": "grower:a", "field": "f1", "lot": "L1", "product": "grapes", "quantity": quantity(5, "KGM"),
        ],
        "grower:a")
      _ = step(
        ["kind": "receive", "actor": "winery:w", "shipment": .string(ship), "quantity": quantity(1, "KGM")], "winery:w")
      _ = step(["kind": "observe", "actor": "winery:w", "lot": "M1", "observation": ["note": "empty"]], "winery:w")
      // Corrections bring them back, newest first.
      for target in [sale, press, receive] {
        _ = step(["kind": "correct", "actor": "winery:w", "entry": .string(target), "reason": "audit"], "winery:w")
        let record = chain.state.shipment(SHA256Digest(hex: ship)!)
        outstanding.append(record.flatMap { $0.quantity.subtracting($0.received) })
      }
      _ = step(["kind": "correct", "actor": "grower:a", "entry": .string(ship), "reason": "audit"], "grower:a")
      let holdings = [
        chain.state.holding(of: "L1", by: "grower:a"), chain.state.holding(of: "L1", by: "winery:w"),
        chain.state.holding(of: "M1", by: "winery:w"),
      ]
      return (findings, holdings, chain.state.lots.count, outstanding)
    }
    let full = run(compact: false)
    let compact = run(compact: true)
    #expect(full.findings == compact.findings)
    #expect(full.holdings == compact.holdings)
    #expect(full.lots == compact.lots)
    #expect(full.outstanding == compact.outstanding)
    // The story: the four reuse attempts refused, for the right reasons; everything back with the grower.
    #expect(
      full.findings.filter { !$0.isEmpty }.map { $0.map { String($0.prefix(while: { $0 != ":" })) } } == [
        ["state.not-custodian"], ["state.duplicate-lot"], ["state.over-received"], ["policy.unauthorized"],
      ])
    #expect(full.holdings == [ExactDecimal(1000), .zero, .zero])
    #expect(full.lots == 2)
    #expect(full.outstanding == [.zero, .zero, ExactDecimal(1000)])
  }

  @Test func refsAreUnique() {
    var chain = withHarvest()
    let statement: JSONValue = [
      "kind": "sell", "actor": "grower:a", "lot": "L1", "quantity": quantity(1, "KGM"),
      "ref": "7a1c0e0e-5a4f-4c55-9b4e-0d6c1a2b3c4d",
    ]
    #expect(chain.apply(statement, by: "grower:a") == [])
    #expect(codes(chain.apply(statement, by: "grower:a")) == ["state.duplicate-ref"])
  }

  @Test func chainFindings() {
    var chain = withHarvest()
    let envelope = chain.entries.last!.envelope
    // An entry with the wrong seq and prev.
    let forged = Entry(seq: 99, logged: chain.clock.adding(seconds: 60), prev: .zero, envelope: envelope)
    let findings = chain.state.apply(
      forged, statement: Result { try Statement(payload: envelope.payload) }.mapError { $0 as! StatementError }, signatures: [])
    #expect(codes(findings).starts(with: ["chain.seq-mismatch", "chain.prev-mismatch"]))
  }

  @Test func genesisRules() throws {
    var chain = Chain.standard()
    let second = chain.apply(
      [
        "kind": "genesis", "actor": "coop", "origin": "example.org/loam/test", "logKey": .string(chain.logKey.verifier.vkey),
        "participants": [
          ["id": "coop2", "name": "C", "roles": ["admin"], "keys": [.string(try PrivateKey.generate().publicKey.pem)]]
        ],
      ],
      by: "coop")
    #expect(codes(second) == ["genesis.misplaced"] || codes(second) == ["sig.unknown-key"])
    var empty = Chain()
    empty.keys["g"] = try PrivateKey.generate()
    #expect(
      codes(
        empty.apply(["kind": "field", "actor": "g", "field": ["id": "f", "name": "F", "area": quantity(1, "HAR")]], by: "g")) == [
          "genesis.missing"
        ])
  }
}
