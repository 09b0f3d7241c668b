/// One table of the ledger state: a dictionary, optionally over a backing store that is read
/// on a miss (the persisted state of a ledger directory). Changes stay in memory until the
/// owner writes them out (`changes`), so a refused batch leaves the backing store untouched.
public struct Table<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  /// Reads a row the overlay does not hold; nil for a purely in-memory table.
  public typealias Loader = @Sendable (Key) -> Value?

  private var overlay: [Key: Value?] = [:]
  private let loader: Loader?

  public init(loader: Loader? = nil) { self.loader = loader }

  public subscript(key: Key) -> Value? {
    get {
      if let cached = overlay[key] { return cached }
      return loader?(key)
    }
    set {
      if loader == nil, newValue == nil {
        overlay.removeValue(forKey: key)
      } else {
        overlay[key] = .some(newValue)
      }
    }
  }

  /// Rows set or removed in memory (all rows, for an in-memory table).
  public var changes: [Key: Value?] { overlay }

  /// Forgets the in-memory changes (after they were written to the backing store).
  public mutating func markPersisted() { if loader != nil { overlay.removeAll(keepingCapacity: true) } }

  /// The rows held in memory: every row of an in-memory table.
  public var count: Int { overlay.values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
  public var isEmpty: Bool { count == 0 }
  public var values: [Value] { overlay.values.compactMap { $0 } }
  public var keys: [Key] { overlay.compactMap { $0.value == nil ? nil : $0.key } }
}
