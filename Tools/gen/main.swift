// loam-gen: writes a large, realistic, valid synthetic ledger for tests and benchmarks.
//
//   loam-gen --out DIR --keys DIR --entries N [--alg ed25519|p256] [--envelopes FILE --count M] [--all-keys]
//
// Hundreds of growers and their fields, practices, soil tests and certifications, harvests,
// partial shipments and receipts, pressing, blending and bottling into serialised bottles,
// shipments to brands and retailers, and sales: season after season until N entries. Every
// entry is applied to a LoamCore state as it is written, so the ledger verifies. Statements are
// signed on all cores. `--envelopes` also writes M pre-signed envelopes (JSON Lines) that can be
// submitted to the ledger afterwards, for the submit benchmark.
import Dispatch
import Foundation
import LoamCore
import LoamCrypto

struct Options {
  var out = ""
  var keys = ""
  /// Write every participant's key (not only coop, grower:0 and lab:0), e.g. to re-import an export.
  var allKeys = false
  var entries = 10_000
  var algorithm = SignatureAlgorithm.ed25519
  var envelopes: String? = nil
  var envelopeCount = 0

  init() {
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
      switch argument {
      case "--out": out = arguments.next() ?? ""
      case "--keys": keys = arguments.next() ?? ""
      case "--all-keys": allKeys = true
      case "--entries": entries = Int(arguments.next() ?? "") ?? 0
      case "--alg": algorithm = arguments.next() == "p256" ? .ecdsaP256SHA256 : .ed25519
      case "--envelopes": envelopes = arguments.next()
      case "--count": envelopeCount = Int(arguments.next() ?? "") ?? 0
      default: Self.usage()
      }
    }
    if out.isEmpty || keys.isEmpty || entries < 20 { Self.usage() }
  }

  static func usage() -> Never {
    FileHandle.standardError.write(
      Data(
        "usage: loam-gen --out DIR --keys DIR --entries N (N ≥ 20) [--alg ed25519|p256] [--envelopes FILE --count M] [--all-keys]\n"
          .utf8))
    exit(2)
  }
}

/// A statement to sign: its JSON and who signs it.
struct Pending {
  var statement: JSONValue
  var signer: String
}

final class Generator {
  let options: Options
  let origin = "example.org/loam/synthetic"
  var keys: [String: PrivateKey] = [:]
  let logKey: NoteSigner
  var state = LedgerState()
  var clock = Timestamp("2023-01-01T00:00:00Z")!
  var random = SplitMix(seed: 2026)
  var output: FileHandle
  var written = 0
  var buffer = Data()

  var growers: [String] = []
  var fieldsOf: [String: [String]] = [:]
  var processors: [String] = []
  var buyers: [String] = []
  var certifiers: [String] = []
  var labs: [String] = []
  var lotCounter = 0
  var itemCounter = 0

  init(options: Options) throws {
    self.options = options
    logKey = try NoteSigner(name: origin, privateKey: PrivateKey.generate())
    try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: options.keys, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: options.out + "/entries.jsonl", contents: nil)
    output = try FileHandle(forWritingTo: URL(fileURLWithPath: options.out + "/entries.jsonl"))
  }

  var remaining: Int { options.entries - written }

  func key(_ id: String, _ algorithm: SignatureAlgorithm) throws -> PrivateKey {
    let key = try PrivateKey.generate(algorithm)
    keys[id] = key
    return key
  }

  func newLot(_ prefix: String) -> String {
    lotCounter += 1
    return "\(prefix)-\(lotCounter)"
  }

  func quantity(_ value: ExactDecimal, _ uom: String) -> JSONValue { ["value": .number(value.jsonNumber), "uom": .string(uom)] }

  /// Signs a round of independent statements in parallel, then chains, checks and writes them.
  func write(_ round: [Pending]) throws {
    let round = Array(round.prefix(remaining))
    guard !round.isEmpty else { return }
    var stamped: [(JSONValue, PrivateKey)] = []
    for pending in round {
      clock = clock.adding(seconds: 1)
      var object = pending.statement.objectValue!
      object["time"] = .string(clock.description)
      stamped.append((.object(object), keys[pending.signer]!))
    }
    let envelopes = try signAll(stamped)
    for envelope in envelopes {
      let entry = Entry(seq: state.size, logged: clock, prev: state.head, envelope: envelope)
      let statement = Result { try Statement(payload: envelope.payload) }.mapError { $0 as! StatementError }
      let signatures = envelope.signatures.map { SignatureResult(keyID: $0.keyID, valid: true) }
      let findings = state.apply(entry, statement: statement, signatures: signatures)
      precondition(findings.isEmpty, "generator wrote an invalid entry: \(findings)")
      buffer.append(contentsOf: entry.line)
      buffer.append(0x0A)
      written += 1
    }
    if buffer.count > 4 << 20 { flush() }
  }

  func signAll(_ items: [(JSONValue, PrivateKey)]) throws -> [DSSEEnvelope] {
    let results = UnsafeMutableBufferPointer<DSSEEnvelope?>.allocate(capacity: items.count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    nonisolated(unsafe) let shared = results
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
      let payload = try! JCS.canonicalize(items[index].0)
      shared[index] = try! DSSEEnvelope(payload: payload, signedBy: [items[index].1])
    }
    return results.map { $0! }
  }

  func flush() {
    output.write(buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  func pick<T>(_ array: [T]) -> T { array[Int(random.next() % UInt64(array.count))] }

  func run() throws {
    let admin = try key("coop", .ed25519)
    try write([
      Pending(
        statement: [
          "kind": "genesis", "actor": "coop", "origin": .string(origin), "logKey": .string(logKey.verifier.vkey),
          "participants": [
            ["id": "coop", "name": "Synthetic Co-op", "roles": ["admin"], "keys": [.string(admin.publicKey.pem)]]
          ],
        ], signer: "coop")
    ])
    // Participants: growers scale with the ledger (about one per 2,000 entries, 20 to 500).
    let growerCount = max(20, min(500, options.entries / 2000))
    var enrolments: [Pending] = []
    func enroll(_ id: String, _ role: String) throws {
      let key = try key(id, options.algorithm)
      enrolments.append(
        Pending(
          statement: [
            "kind": "enroll", "actor": "coop",
            "participant": [
              "id": .string(id), "name": .string(id), "roles": [.string(role)], "keys": [.string(key.publicKey.pem)],
            ],
          ],
          signer: "coop"))
    }
    for index in 0..<growerCount { growers.append("grower:\(index)"); try enroll("grower:\(index)", "grower") }
    for index in 0..<max(4, growerCount / 10) { processors.append("winery:\(index)"); try enroll("winery:\(index)", "processor") }
    for index in 0..<max(4, growerCount / 10) { buyers.append("retailer:\(index)"); try enroll("retailer:\(index)", "retailer") }
    for index in 0..<3 { certifiers.append("certifier:\(index)"); try enroll("certifier:\(index)", "certifier") }
    for index in 0..<3 { labs.append("lab:\(index)"); try enroll("lab:\(index)", "lab") }
    try write(enrolments)
    var fields: [Pending] = []
    for grower in growers {
      for index in 0..<(2 + Int(random.next() % 3)) {
        let id = "field:\(grower.dropFirst(7))-\(index)"
        fieldsOf[grower, default: []].append(id)
        fields.append(
          Pending(
            statement: [
              "kind": "field", "actor": .string(grower),
              "field": [
                "id": .string(id), "name": .string("Parcel \(id)"),
                "area": quantity(ExactDecimal(Int(1 + random.next() % 9)), "HAR"),
              ],
            ], signer: grower))
      }
    }
    try write(fields)
    var season = 2023
    while remaining > 0 { try runSeason(season); season += 1 }
    flush()
    try output.close()
    try writeCheckpoint()
    try writeKeys()
    if let path = options.envelopes { try writeEnvelopes(path) }
  }

  func runSeason(_ year: Int) throws {
    // Farming records.
    var records: [Pending] = []
    for grower in growers {
      for field in fieldsOf[grower]! {
        if random.next() % 3 != 0 {
          records.append(
            Pending(
              statement: [
                "kind": "practice", "actor": .string(grower), "field": .string(field),
                "practice": .string(pick(["cover-crop", "compost", "no-till", "managed-grazing"])),
                "period": ["start": .string("\(year - 1)-11-01T00:00:00Z"), "end": .string("\(year)-03-01T00:00:00Z")],
              ], signer: grower))
        }
        if random.next() % 4 == 0 {
          let lab = pick(labs)
          records.append(
            Pending(
              statement: [
                "kind": "measurement", "actor": .string(lab), "field": .string(field), "metric": "soil-organic-carbon",
                "value": .number(ExactDecimal(significand: Int128(15 + random.next() % 40), scale: 1).jsonNumber),
                "unit": "percent", "method": "dry-combustion", "sampled": .string("\(year)-05-15T00:00:00Z"), "depthCm": 30,
              ], signer: lab))
        }
        if random.next() % 3 == 0 {
          let certifier = pick(certifiers)
          records.append(
            Pending(
              statement: [
                "kind": "certify", "actor": .string(certifier), "subject": ["field": .string(field)],
                "standard": .string(pick(["ROC", "EOV", "organic"])),
                "valid": ["from": .string("\(year)-01-01T00:00:00Z"), "until": .string("\(year + 1)-01-01T00:00:00Z")],
              ], signer: certifier))
        }
      }
    }
    try write(records)
    // Harvests.
    var harvests: [(grower: String, lot: String, kg: Int)] = []
    var pending: [Pending] = []
    for grower in growers {
      for field in fieldsOf[grower]! {
        let lot = newLot("GRAPES-\(year)")
        let kg = 500 + Int(random.next() % 4000)
        harvests.append((grower, lot, kg))
        pending.append(
          Pending(
            statement: [
              "kind": "harvest", "actor": .string(grower), "field": .string(field), "lot": .string(lot), "product": "grapes",
              "quantity": quantity(ExactDecimal(kg), "KGM"),
            ], signer: grower))
      }
    }
    try write(pending)
    // Growers ship most of each lot to a winery (keeping a little).
    pending = []
    var shipped: [(winery: String, lot: String, kg: Int)] = []
    for harvest in harvests {
      let winery = pick(processors)
      let kg = harvest.kg * 9 / 10
      shipped.append((winery, harvest.lot, kg))
      pending.append(
        Pending(
          statement: [
            "kind": "ship", "actor": .string(harvest.grower), "lot": .string(harvest.lot), "to": .string(winery),
            "quantity": quantity(ExactDecimal(kg), "KGM"),
          ], signer: harvest.grower))
    }
    let shipStart = state.size
    try write(pending)
    // Wineries receive in two parts.
    let shipIDs = try shipmentIDs(from: shipStart, count: pending.count)
    pending = []
    for (index, shipment) in shipped.enumerated() where index < shipIDs.count {
      let first = shipment.kg / 2
      for part in [first, shipment.kg - first] {
        pending.append(
          Pending(
            statement: [
              "kind": "receive", "actor": .string(shipment.winery), "shipment": .string(shipIDs[index]),
              "quantity": quantity(ExactDecimal(part), "KGM"),
            ], signer: shipment.winery))
      }
    }
    try write(pending)
    // Pressing per received lot, then blending and bottling per winery.
    pending = []
    var musts: [String: [(lot: String, litres: Int)]] = [:]
    for shipment in shipped.prefix(shipIDs.count) {
      let must = newLot("MUST-\(year)")
      let litres = shipment.kg * 7 / 10
      musts[shipment.winery, default: []].append((must, litres))
      pending.append(
        Pending(
          statement: [
            "kind": "transform", "actor": .string(shipment.winery), "process": "pressing",
            "inputs": [["lot": .string(shipment.lot), "quantity": quantity(ExactDecimal(shipment.kg), "KGM")]],
            "outputs": [["lot": .string(must), "product": "must", "quantity": quantity(ExactDecimal(litres), "LTR")]],
          ], signer: shipment.winery))
    }
    try write(pending)
    pending = []
    var wines: [(winery: String, lot: String, litres: Int)] = []
    for (winery, lots) in musts.sorted(by: { $0.key < $1.key }) {
      for group in stride(from: 0, to: lots.count, by: 12).map({ Array(lots[$0..<min($0 + 12, lots.count)]) }) {
        let wine = newLot("WINE-\(year)")
        let litres = group.reduce(0) { $0 + $1.litres }
        wines.append((winery, wine, litres))
        pending.append(
          Pending(
            statement: [
              "kind": "transform", "actor": .string(winery), "process": "blending",
              "inputs": .array(group.map { ["lot": .string($0.lot), "quantity": quantity(ExactDecimal($0.litres), "LTR")] }),
              "outputs": [["lot": .string(wine), "product": "wine", "quantity": quantity(ExactDecimal(litres), "LTR")]],
            ], signer: winery))
      }
    }
    try write(pending)
    pending = []
    var bottlings: [(winery: String, lot: String, bottles: Int)] = []
    for wine in wines {
      let bottles = wine.litres * 4 / 3  // 0.75 L bottles
      let lot = "https://id.gs1.org/01/09506000134352/10/\(newLot("B\(year)"))"
      bottlings.append((wine.winery, lot, bottles))
      pending.append(
        Pending(
          statement: [
            "kind": "transform", "actor": .string(wine.winery), "process": "bottling",
            "inputs": [["lot": .string(wine.lot), "quantity": quantity(ExactDecimal(wine.litres), "LTR")]],
            "outputs": [["lot": .string(lot), "product": "wine 0.75 L", "quantity": quantity(ExactDecimal(bottles), "H87")]],
          ], signer: wine.winery))
    }
    try write(pending)
    // Bottles go to retailers in part; retailers receive and sell some, serialised.
    pending = []
    var sent: [(retailer: String, lot: String, bottles: Int)] = []
    for bottling in bottlings {
      let retailer = pick(buyers)
      let bottles = bottling.bottles / 2
      sent.append((retailer, bottling.lot, bottles))
      pending.append(
        Pending(
          statement: [
            "kind": "ship", "actor": .string(bottling.winery), "lot": .string(bottling.lot), "to": .string(retailer),
            "quantity": quantity(ExactDecimal(bottles), "H87"),
          ], signer: bottling.winery))
    }
    let secondShips = state.size
    try write(pending)
    let secondIDs = try shipmentIDs(from: secondShips, count: pending.count)
    pending = []
    for (index, shipment) in sent.enumerated() where index < secondIDs.count {
      pending.append(
        Pending(
          statement: [
            "kind": "receive", "actor": .string(shipment.retailer), "shipment": .string(secondIDs[index]),
            "quantity": quantity(ExactDecimal(shipment.bottles), "H87"),
          ], signer: shipment.retailer))
    }
    try write(pending)
    pending = []
    for shipment in sent.prefix(secondIDs.count) {
      for _ in 0..<3 {
        itemCounter += 1
        let serial = shipment.lot.replacingOccurrences(of: "/10/", with: "/21/") + "-\(itemCounter)"
        pending.append(
          Pending(
            statement: [
              "kind": "sell", "actor": .string(shipment.retailer), "lot": .string(shipment.lot),
              "quantity": quantity(ExactDecimal(1), "H87"), "items": [.string(serial)],
            ], signer: shipment.retailer))
      }
    }
    try write(pending)
  }

  /// The ids of the `count` entries written from `start` (ship entries), from the state's records.
  var recentIDs: [UInt64: SHA256Digest] = [:]
  func shipmentIDs(from start: UInt64, count: Int) throws -> [String] {
    // The shipments table maps entry id → record with its seq.
    let bySeq = Dictionary(
      state.shipments.keys.compactMap { id in state.shipments[id].map { ($0.seq, id) } }, uniquingKeysWith: { a, _ in a })
    return (0..<count).compactMap { bySeq[start + UInt64($0)]?.hex }
  }

  func writeCheckpoint() throws {
    let checkpoint = Checkpoint(origin: origin, size: state.size, rootHash: state.tree.root)
    let note = try Note(text: checkpoint.text, signatures: [logKey.sign(text: checkpoint.text)])
    try Data(note.serialized.utf8).write(to: URL(fileURLWithPath: options.out + "/checkpoint"))
  }

  func writeKeys() throws {
    try KeyFile.write(logKey.privateKey, to: options.keys + "/log.pem")
    let ids = options.allKeys ? keys.keys.sorted() : ["coop", "grower:0", "lab:0"]
    for id in ids {
      try KeyFile.write(keys[id]!, to: options.keys + "/\(id.replacingOccurrences(of: ":", with: "-")).pem")
    }
  }

  /// Independent measurements by lab:0, valid after the ledger's last entry.
  func writeEnvelopes(_ path: String) throws {
    var items: [(JSONValue, PrivateKey)] = []
    let fields = growers.flatMap { fieldsOf[$0]! }
    for index in 0..<options.envelopeCount {
      let statement: JSONValue = [
        "kind": "measurement", "actor": "lab:0", "time": .string(clock.description),
        "field": .string(fields[index % fields.count]),
        "metric": "ph", "value": .number(ExactDecimal(significand: Int128(55 + index % 30), scale: 1).jsonNumber), "unit": "pH",
        "method": "water-1:2.5", "sampled": .string(clock.description),
      ]
      items.append((statement, keys["lab:0"]!))
    }
    var data = Data()
    for envelope in try signAll(items) {
      data.append(contentsOf: envelope.canonicalJSON)
      data.append(0x0A)
    }
    try data.write(to: URL(fileURLWithPath: path))
  }
}

/// A small deterministic random generator, so the same options give the same ledger shape.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

let options = Options()
let start = Date()
let generator = try Generator(options: options)
try generator.run()
FileHandle.standardError.write(
  Data(
    "wrote \(generator.written) entries (\(options.algorithm)) to \(options.out) in \(Int(Date().timeIntervalSince(start))) s; keys in \(options.keys)\n"
      .utf8))
