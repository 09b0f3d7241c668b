import Glibc
import LoamCore
import LoamCrypto
public import LoamStore

/// The demo supply chain: a wine co-operative's 2026 vintage, from five growers' fields to
/// serialised bottles on retailers' shelves, written through the same APIs the CLI uses.
///
/// Mas des Cades and Clos Lunel farm regeneratively (cover crops, compost, no-till, soil carbon
/// tests, ROC certification); Domaine Verdier is part way there; Les Arbres farms
/// conventionally; Ferme Roux's certification is corrected mid-season after an audit. The
/// co-operative's winery presses each grower's grapes, blends two cuvées, rotates its signing
/// key, and bottles into GS1 Digital Link serialised bottles for a brand and two retailers.
public struct DemoSupplyChain {
  public struct Result: Sendable {
    public var ledger: Ledger
    public var keysDirectory: String
    /// A bottle of the regenerative cuvée, sold at a retailer.
    public var bottle: String
    public var bottleLot: String
    public var steps: [String]
  }

  public static let origin = "example.org/loam/coop-vignerons-2026"
  static let gtin = "09506000134352"

  let directory: String
  var keys: [String: PrivateKey] = [:]
  var steps: [String] = []
  let logSigner: NoteSigner
  var ledger: Ledger? = nil

  public init(directory: String) throws {
    self.directory = directory
    logSigner = try NoteSigner(name: Self.origin, privateKey: PrivateKey.generate())
  }

  func statement(_ kind: String, _ actor: String, _ time: String, _ members: [String: JSONValue]) -> JSONValue {
    var object = JSONObject()
    object["kind"] = .string(kind)
    object["actor"] = .string(actor)
    object["time"] = .string(time)
    for (key, value) in members.sorted(by: { $0.key < $1.key }) { object[key] = value }
    return .object(object)
  }

  func envelope(_ statement: JSONValue, by signer: String) throws -> DSSEEnvelope {
    let payload = try Statement(json: statement).canonicalPayload()
    return try DSSEEnvelope(payload: payload, signedBy: [keys[signer]!])
  }

  /// Appends one batch; every statement must be accepted.
  @discardableResult
  mutating func append(_ step: String, _ items: [(JSONValue, String)]) throws -> [Entry] {
    steps.append(step)
    let envelopes = try items.map { try envelope($0.0, by: $0.1) }
    switch try ledger!.append(envelopes, logSigner: logSigner, now: Self.clock()) {
    case .appended(let results): return results.map(\.entry)
    case .refused(let findings):
      throw StoreError(.refused, "the demo's \(step) was refused: \(findings.map(\.description).joined(separator: "; "))")
    }
  }

  /// Now, but never before the story's last event (so the demo also runs on a machine whose
  /// clock is behind the 2026 vintage).
  static func clock() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return max(Timestamp(seconds: Int64(spec.tv_sec)), Timestamp("2026-11-23T00:00:00Z")!)
  }

  func quantity(_ value: String, _ uom: String) -> JSONValue {
    ["value": .number(JSONNumber(literal: value)!), "uom": .string(uom)]
  }

  public mutating func build() throws -> Result {
    let keysDirectory = directory + "/keys"
    try makeDirectory(directory)
    try makeDirectory(keysDirectory)
    let participants: [(String, String, String, SignatureAlgorithm)] = [
      ("coop", "Coopérative des Vignerons", "admin", .ed25519),
      ("grower:mas-des-cades", "Mas des Cades", "grower", .ed25519),
      ("grower:clos-lunel", "Clos Lunel", "grower", .ed25519),
      ("grower:domaine-verdier", "Domaine Verdier", "grower", .ed25519),
      ("grower:les-arbres", "Les Arbres", "grower", .ed25519),
      ("grower:ferme-roux", "Ferme Roux", "grower", .ed25519),
      ("certifier:terra-roc", "Terra ROC certification", "certifier", .ed25519),
      ("certifier:land-eov", "Land to Market verifier", "certifier", .ed25519),
      ("lab:agrosol", "Agrosol soil laboratory", "lab", .ecdsaP256SHA256),
      ("winery:cave", "Cave coopérative", "processor", .ecdsaP256SHA256),
      ("brand:vins-vivants", "Vins Vivants", "brand", .ed25519),
      ("retailer:cave-paris", "La Cave de Paris", "retailer", .ed25519),
      ("retailer:bio-marche", "Bio Marché", "retailer", .ed25519),
    ]
    for (id, _, _, algorithm) in participants { keys[id] = try PrivateKey.generate(algorithm) }
    keys["winery:cave#2026"] = try PrivateKey.generate(.ecdsaP256SHA256)

    // The genesis and the ledger.
    let genesis = statement(
      "genesis", "coop", "2023-10-01T09:00:00Z",
      [
        "origin": .string(Self.origin), "logKey": .string(logSigner.verifier.vkey),
        "participants": [
          ["id": "coop", "name": "Coopérative des Vignerons", "roles": ["admin"], "keys": [.string(keys["coop"]!.publicKey.pem)]]
        ],
      ])
    let (created, _) = try Ledger.create(
      directory: directory + "/ledger", genesis: try envelope(genesis, by: "coop"), logSigner: logSigner, now: Self.clock())
    ledger = created
    steps.append("The co-operative opens its ledger.")
    try append(
      "Growers, two certifiers, a soil lab, the winery, a brand and two retailers join.",
      participants.dropFirst().map { id, name, role, _ in
        (
          statement(
            "enroll", "coop", "2023-10-02T09:00:00Z",
            [
              "participant": [
                "id": .string(id), "name": .string(name), "roles": [.string(role)], "keys": [.string(keys[id]!.publicKey.pem)],
              ]
            ]), "coop"
        )
      })

    // Fields.
    let fields: [(String, String, String, String)] = [
      ("grower:mas-des-cades", "field:cades-terrasses", "Les Terrasses", "3.2"),
      ("grower:mas-des-cades", "field:cades-garrigue", "La Garrigue", "2.1"),
      ("grower:clos-lunel", "field:lunel-haut", "Lunel Haut", "4.0"),
      ("grower:clos-lunel", "field:lunel-bas", "Lunel Bas", "2.7"),
      ("grower:domaine-verdier", "field:verdier-source", "La Source", "3.5"),
      ("grower:domaine-verdier", "field:verdier-route", "Bord de Route", "1.8"),
      ("grower:les-arbres", "field:arbres-plaine", "La Plaine", "5.0"),
      ("grower:les-arbres", "field:arbres-colline", "La Colline", "2.4"),
      ("grower:ferme-roux", "field:roux-nord", "Roux Nord", "2.9"), ("grower:ferme-roux", "field:roux-sud", "Roux Sud", "2.2"),
    ]
    try append(
      "Ten fields are registered.",
      fields.map { grower, id, name, area in
        (
          statement(
            "field", grower, "2023-10-05T09:00:00Z",
            ["field": ["id": .string(id), "name": .string(name), "area": quantity(area, "HAR"), "country": "FR"]]), grower
        )
      })

    // Three seasons of practice on the regenerative fields; Verdier's roadside field only lately.
    let regenerative = [
      "field:cades-terrasses", "field:cades-garrigue", "field:lunel-haut", "field:lunel-bas", "field:verdier-source",
      "field:roux-nord", "field:roux-sud",
    ]
    var practices: [(JSONValue, String)] = []
    for year in 2024...2026 {
      for (grower, field, _, _) in fields where regenerative.contains(field) || (field == "field:verdier-route" && year == 2026) {
        practices.append(
          (
            statement(
              "practice", grower, "\(year)-03-20T17:00:00Z",
              [
                "field": .string(field), "practice": "cover-crop",
                "period": ["start": .string("\(year - 1)-11-01T00:00:00Z"), "end": .string("\(year)-03-15T00:00:00Z")],
              ]), grower
          ))
        if year >= 2025 && regenerative.contains(field) {
          practices.append(
            (
              statement(
                "practice", grower, "\(year)-02-10T17:00:00Z",
                [
                  "field": .string(field), "practice": "compost",
                  "period": ["start": .string("\(year)-02-01T00:00:00Z"), "end": .string("\(year)-02-08T00:00:00Z")],
                  "evidence": [
                    [
                      "sha256": .string(SHA256.hash(Array("compost delivery \(field) \(year)".utf8)).hex),
                      "mediaType": "application/pdf",
                    ]
                  ],
                ]), grower
            ))
        }
      }
    }
    for (grower, field, _, _) in fields where field.hasPrefix("field:cades") || field.hasPrefix("field:lunel") {
      practices.append(
        (
          statement(
            "practice", grower, "2026-03-01T17:00:00Z",
            [
              "field": .string(field), "practice": "no-till",
              "period": ["start": "2025-10-01T00:00:00Z", "end": "2026-09-30T00:00:00Z"],
            ]), grower
        ))
    }
    try append("Growers log three seasons of cover crops, compost and no-till.", practices)

    // Soil tests.
    var measurements: [(JSONValue, String)] = []
    for (index, field) in (regenerative + ["field:verdier-route", "field:arbres-plaine"]).enumerated() {
      let carbon = ["3.4", "3.1", "3.8", "3.6", "2.9", "2.7", "2.8", "1.6", "1.4"][index]
      measurements.append(
        (
          statement(
            "measurement", "lab:agrosol", "2026-05-22T10:00:00Z",
            [
              "field": .string(field), "metric": "soil-organic-carbon", "value": .number(JSONNumber(literal: carbon)!),
              "unit": "percent", "method": "dry-combustion", "sampled": "2026-05-15T08:00:00Z", "depthCm": 30,
              "evidence": [
                [
                  "sha256": .string(SHA256.hash(Array("agrosol report \(field)".utf8)).hex),
                  "uri": .string("https://agrosol.example/reports/2026/\(field.dropFirst(6))"), "mediaType": "application/pdf",
                ]
              ],
            ]), "lab:agrosol"
        ))
    }
    try append("The soil lab measures soil organic carbon.", measurements)

    // Certifications: ROC for the regenerative fields, EOV for Clos Lunel.
    var certifications: [(JSONValue, String)] = []
    for field in regenerative {
      certifications.append(
        (
          statement(
            "certify", "certifier:terra-roc", "2026-01-15T09:00:00Z",
            [
              "subject": ["field": .string(field)], "standard": "ROC",
              "level": field.hasPrefix("field:cades") ? "gold" : "silver",
              "valid": ["from": "2026-01-01T00:00:00Z", "until": "2026-12-31T23:59:59Z"],
              "reference": .string("TR-2026-\(field.dropFirst(6))"),
            ]), "certifier:terra-roc"
        ))
    }
    for field in ["field:lunel-haut", "field:lunel-bas"] {
      certifications.append(
        (
          statement(
            "certify", "certifier:land-eov", "2026-04-02T09:00:00Z",
            [
              "subject": ["field": .string(field)], "standard": "EOV",
              "valid": ["from": "2026-04-01T00:00:00Z", "until": "2027-03-31T23:59:59Z"],
            ]), "certifier:land-eov"
        ))
    }
    let certified = try append("Two certifiers attest the fields.", certifications)
    let rouxNord = certified.first { entry in
      (try? Statement(payload: entry.envelope.payload)).map {
        if case .certify(let c) = $0.body { c.subject == .field("field:roux-nord") } else { false }
      } ?? false
    }!
    try append(
      "Mid-season, an audit finds synthetic nitrogen on Roux Nord: Terra ROC corrects its certification.",
      [
        (
          statement(
            "correct", "certifier:terra-roc", "2026-07-08T14:00:00Z",
            ["entry": .string(rouxNord.id.hex), "reason": "July audit: synthetic nitrogen applied in May on Roux Nord"]),
          "certifier:terra-roc"
        )
      ])

    // Harvest and delivery.
    let yields = [
      "field:cades-terrasses": "6400", "field:cades-garrigue": "3900", "field:lunel-haut": "7200", "field:lunel-bas": "4600",
      "field:verdier-source": "5800", "field:verdier-route": "3100", "field:arbres-plaine": "11000",
      "field:arbres-colline": "4300", "field:roux-nord": "4800", "field:roux-sud": "3600",
    ]
    var harvests: [(JSONValue, String)] = []
    for (grower, field, _, _) in fields {
      harvests.append(
        (
          statement(
            "harvest", grower, "2026-09-\(10 + harvests.count)T07:30:00Z",
            [
              "field": .string(field), "lot": .string("GRAPES-2026-\(field.dropFirst(6))"), "product": "grenache grapes",
              "quantity": quantity(yields[field]!, "KGM"),
            ]), grower
        ))
    }
    try append("The 2026 harvest: each field's grapes become a lot.", harvests)
    var ships: [(JSONValue, String)] = []
    for (grower, field, _, _) in fields {
      // Les Arbres keeps part of its plain's harvest for its own table grapes.
      let kg = field == "field:arbres-plaine" ? "8000" : yields[field]!
      ships.append(
        (
          statement(
            "ship", grower, "2026-09-\(11 + ships.count)T12:00:00Z",
            ["lot": .string("GRAPES-2026-\(field.dropFirst(6))"), "to": "winery:cave", "quantity": quantity(kg, "KGM")]), grower
        ))
    }
    let shipped = try append("Growers deliver to the winery (Les Arbres keeps 3 t for table grapes).", ships)
    try append(
      "The winery receives every delivery.",
      zip(shipped, ships).enumerated().map { index, pair in
        let kg = pair.1.0["quantity"]!["value"]!.numberValue!.literal
        return (
          statement(
            "receive", "winery:cave", "2026-09-\(11 + index)T16:00:00Z",
            ["shipment": .string(pair.0.id.hex), "quantity": quantity(kg, "KGM")]), "winery:cave"
        )
      })

    // Pressing per grower (0.7 L of must per kg), then two cuvées.
    var pressings: [(JSONValue, String)] = []
    var must: [String: Int] = [:]
    for grower in ["mas-des-cades", "clos-lunel", "domaine-verdier", "les-arbres", "ferme-roux"] {
      let lots = fields.filter { $0.0 == "grower:\(grower)" }.map { field -> (String, Int) in
        let kg = field.1 == "field:arbres-plaine" ? 8000 : Int(yields[field.1]!)!
        return ("GRAPES-2026-\(field.1.dropFirst(6))", kg)
      }
      let litres = lots.reduce(0) { $0 + $1.1 } * 7 / 10
      must[grower] = litres
      pressings.append(
        (
          statement(
            "transform", "winery:cave", "2026-09-25T10:00:00Z",
            [
              "process": "pressing",
              "inputs": .array(lots.map { ["lot": .string($0.0), "quantity": quantity(String($0.1), "KGM")] }),
              "outputs": [
                ["lot": .string("MUST-2026-\(grower)"), "product": "grenache must", "quantity": quantity(String(litres), "LTR")]
              ],
            ]), "winery:cave"
        ))
    }
    try append("The winery presses each grower's grapes apart.", pressings)
    let vivante: [(String, Int)] = [
      ("mas-des-cades", 7000), ("clos-lunel", 8000), ("domaine-verdier", 3000), ("ferme-roux", 2000),
    ]
    let village: [(String, Int)] = [
      ("mas-des-cades", must["mas-des-cades"]! - 7000), ("clos-lunel", must["clos-lunel"]! - 8000),
      ("domaine-verdier", must["domaine-verdier"]! - 3000), ("les-arbres", must["les-arbres"]!),
      ("ferme-roux", must["ferme-roux"]! - 2000),
    ]
    func blend(_ parts: [(String, Int)], _ lot: String, _ name: String) -> (JSONValue, String) {
      (
        statement(
          "transform", "winery:cave", "2026-10-20T10:00:00Z",
          [
            "process": "blending",
            "inputs": .array(parts.map { ["lot": .string("MUST-2026-\($0.0)"), "quantity": quantity(String($0.1), "LTR")] }),
            "outputs": [
              ["lot": .string(lot), "product": .string(name), "quantity": quantity(String(parts.reduce(0) { $0 + $1.1 }), "LTR")]
            ],
          ]), "winery:cave"
      )
    }
    try append(
      "Two cuvées are blended: Terre Vivante and Vin du Village.",
      [
        blend(vivante, "WINE-2026-terre-vivante", "Cuvée Terre Vivante 2026"),
        blend(village, "WINE-2026-village", "Vin du Village 2026"),
      ])

    // The winery rotates its signing key before bottling.
    try append(
      "The winery rotates its signing key (the old one is retired).",
      [
        // Retired from the next second of the ledger's clock: everything it signed before stays valid.
        (
          statement(
            "keys", "winery:cave", "2026-11-02T08:00:00Z",
            [
              "participant": "winery:cave", "add": [.string(keys["winery:cave#2026"]!.publicKey.pem)],
              "revoke": [
                [
                  "keyid": .string(keys["winery:cave"]!.publicKey.keyID),
                  "from": .string(Self.clock().adding(seconds: 1).description),
                ]
              ],
            ]), "winery:cave"
        )
      ])
    keys["winery:cave"] = keys["winery:cave#2026"]

    // Bottling into serialised 0.75 L bottles under GS1 Digital Link lot ids.
    let vivanteLitres = vivante.reduce(0) { $0 + $1.1 }
    let vivanteBottles = vivanteLitres * 4 / 3
    let villageLitres = village.reduce(0) { $0 + $1.1 }
    let bottleLot = "https://id.gs1.org/01/\(Self.gtin)/10/TV26A"
    let villageLot = "https://id.gs1.org/01/\(Self.gtin)/10/VV26A"
    try append(
      "Bottling: \(vivanteBottles) bottles of Terre Vivante, \(villageLitres * 4 / 3) of Vin du Village.",
      [
        (
          statement(
            "transform", "winery:cave", "2026-11-10T09:00:00Z",
            [
              "process": "bottling",
              "inputs": [["lot": "WINE-2026-terre-vivante", "quantity": quantity(String(vivanteLitres), "LTR")]],
              "outputs": [
                [
                  "lot": .string(bottleLot), "product": "Cuvée Terre Vivante 2026, 0.75 L",
                  "quantity": quantity(String(vivanteBottles), "H87"),
                ]
              ],
            ]), "winery:cave"
        ),
        (
          statement(
            "transform", "winery:cave", "2026-11-10T15:00:00Z",
            [
              "process": "bottling",
              "inputs": [["lot": "WINE-2026-village", "quantity": quantity(String(villageLitres), "LTR")]],
              "outputs": [
                [
                  "lot": .string(villageLot), "product": "Vin du Village 2026, 0.75 L",
                  "quantity": quantity(String(villageLitres * 4 / 3), "H87"),
                ]
              ],
            ]), "winery:cave"
        ),
      ])

    // The brand publishes the sourcing policy it will prove its claims under.
    try append(
      "The brand publishes its sourcing policy, modelled on Regenerative Organic Certified.",
      [
        (
          statement(
            "policy", "brand:vins-vivants", "2026-11-11T09:00:00Z", ["policy": try JSONValue(parsing: Self.rocLikePolicy)]),
          "brand:vins-vivants"
        )
      ])

    // To the brand, then to two retailers, then to consumers.
    let toBrand = try append(
      "The winery ships 12,000 bottles of Terre Vivante to the brand.",
      [
        (
          statement(
            "ship", "winery:cave", "2026-11-12T08:00:00Z",
            ["lot": .string(bottleLot), "to": "brand:vins-vivants", "quantity": quantity("12000", "H87")]), "winery:cave"
        )
      ])
    try append(
      "The brand receives them.",
      [
        (
          statement(
            "receive", "brand:vins-vivants", "2026-11-13T08:00:00Z",
            ["shipment": .string(toBrand[0].id.hex), "quantity": quantity("12000", "H87")]), "brand:vins-vivants"
        )
      ])
    let toShops = try append(
      "The brand ships to two retailers.",
      [
        (
          statement(
            "ship", "brand:vins-vivants", "2026-11-14T08:00:00Z",
            ["lot": .string(bottleLot), "to": "retailer:cave-paris", "quantity": quantity("600", "H87")]), "brand:vins-vivants"
        ),
        (
          statement(
            "ship", "brand:vins-vivants", "2026-11-14T08:30:00Z",
            ["lot": .string(bottleLot), "to": "retailer:bio-marche", "quantity": quantity("1200", "H87")]), "brand:vins-vivants"
        ),
      ])
    try append(
      "The retailers receive their cases.",
      [
        (
          statement(
            "receive", "retailer:cave-paris", "2026-11-15T09:00:00Z",
            ["shipment": .string(toShops[0].id.hex), "quantity": quantity("600", "H87")]), "retailer:cave-paris"
        ),
        (
          statement(
            "receive", "retailer:bio-marche", "2026-11-15T11:00:00Z",
            ["shipment": .string(toShops[1].id.hex), "quantity": quantity("1200", "H87")]), "retailer:bio-marche"
        ),
      ])
    let serial = { (n: Int) in "https://id.gs1.org/01/\(Self.gtin)/21/TV26A\(String(1_000_000 + n).dropFirst())" }
    try append(
      "Consumers buy serialised bottles.",
      [
        (
          statement(
            "sell", "retailer:cave-paris", "2026-11-20T18:12:00Z",
            [
              "lot": .string(bottleLot), "quantity": quantity("3", "H87"),
              "items": [.string(serial(1042)), .string(serial(1043)), .string(serial(1044))],
            ]), "retailer:cave-paris"
        ),
        (
          statement(
            "sell", "retailer:bio-marche", "2026-11-21T10:40:00Z",
            [
              "lot": .string(bottleLot), "quantity": quantity("2", "H87"),
              "items": [.string(serial(2210)), .string(serial(2211))],
            ]), "retailer:bio-marche"
        ),
        (
          statement(
            "sell", "winery:cave", "2026-11-22T11:00:00Z", ["lot": .string(villageLot), "quantity": quantity("6", "H87")]),
          "winery:cave"
        ),
      ])

    for (id, key) in keys where !id.contains("#") {
      try KeyFile.write(key, to: keysDirectory + "/\(String(id.map { $0 == ":" ? "-" : $0 })).pem")
    }
    try KeyFile.write(logSigner.privateKey, to: keysDirectory + "/log.pem")
    return Result(ledger: ledger!, keysDirectory: keysDirectory, bottle: serial(1042), bottleLot: bottleLot, steps: steps)
  }

  /// The same policy as `Ledger/policies/roc-like.json` (a test keeps the two equal).
  public static let rocLikePolicy = """
    {
      "name": "roc-like",
      "description": "Modelled on Regenerative Organic Certified: the field holds an ROC certification valid on the harvest date, grew cover crops in at least 2 of the last 3 seasons, and had its soil organic carbon tested within 24 months before the harvest. Pressing may not make more than 0.8 L of must per kg of grapes.",
      "standards": ["ROC"],
      "certificationRequired": true,
      "practices": [
        {"practice": "cover-crop", "seasons": 2, "outOf": 3}
      ],
      "measurements": [
        {"metric": "soil-organic-carbon", "withinMonths": 24}
      ],
      "yieldBounds": [
        {"process": "pressing", "maxOutput": {"value": 0.8, "uom": "LTR"}, "perInput": {"value": 1, "uom": "KGM"}}
      ]
    }
    """

  func makeDirectory(_ path: String) throws {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
      throw StoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
    }
  }
}
