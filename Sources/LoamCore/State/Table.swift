import Glibc

/// One table of the ledger state: a dictionary, optionally over a backing store that is read
/// on a miss (the persisted state of a ledger directory). Changes stay in memory until the
/// owner writes them out (`changes`), so a refused batch leaves the backing store untouched.
public struct Table<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  /// Reads a row the overlay does not hold; nil for a purely in-memory table.
  public typealias Loader = @Sendable (Key) -> Value?

  // Usable from inlinable code, so that other modules' lookups are specialized for their types
  // (unspecialized, every lookup from LoamStore instantiated generic metadata).
  @usableFromInline var overlay: [Key: Value?] = [:]
  @usableFromInline let loader: Loader?
  /// Rows read from the backing store, so each is read and decoded once.
  @usableFromInline let cache: LoadCache?

  public init(loader: Loader? = nil) {
    self.loader = loader
    cache = loader == nil ? nil : LoadCache()
  }

  @usableFromInline final class LoadCache: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private var rows: [Key: Value?] = [:]
    private let lock = NSLockLike()
    @usableFromInline func get(_ key: Key) -> Value?? { lock.locked { rows[key] } }
    @usableFromInline func set(_ key: Key, _ value: Value?) { lock.locked { rows[key] = .some(value) } }
    /// Brings the rows it holds up to date with `changes` (now in the backing store, which serves
    /// the rest). A row remembered as missing and now written is forgotten instead: the store
    /// holds it, and most new rows are never read again.
    func update(_ changes: [Key: Value?]) {
      lock.locked {
        for (key, value) in changes {
          switch rows[key] {
          case .none: continue
          case .some(.none): rows.removeValue(forKey: key)
          case .some(.some): rows[key] = .some(value)
          }
        }
      }
    }
  }

  @inlinable public subscript(key: Key) -> Value? {
    get {
      if let cached = overlay[key] { return cached }
      guard let loader, let cache else { return nil }
      if let loaded = cache.get(key) { return loaded }
      let value = loader(key)
      // A missing row is remembered too: a new ref, lot or entry is looked up more than once
      // before it is created (an append's look-ahead, then its rules), and each miss was a search
      // of the store. Once created, it is in `overlay`; once written, `markPersisted` forgets it.
      cache.set(key, value)
      return value
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

  /// Whether rows missing from memory are read from a backing store.
  public var hasBackingStore: Bool { loader != nil }

  /// Room for `count` rows in memory, so a replay of a whole log does not grow the table's
  /// storage a dozen times over (each growth rehashes every row).
  public mutating func reserveCapacity(_ count: Int) { overlay.reserveCapacity(count) }

  /// Forgets the in-memory changes (after they were written to the backing store).
  public mutating func markPersisted() {
    guard let cache else { return }
    // The rows written are read back from the store when next asked for: keeping them all in
    // the cache (most are a new entry's, never read again) cost more than the few reads.
    cache.update(overlay)
    overlay.removeAll(keepingCapacity: true)
  }

  /// The rows held in memory: every row of an in-memory table.
  public var count: Int { overlay.values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
  public var isEmpty: Bool { count == 0 }
  public var values: [Value] { overlay.values.compactMap { $0 } }
  public var keys: [Key] { overlay.compactMap { $0.value == nil ? nil : $0.key } }
}

/// A small mutex over pthreads (LoamCore stays free of Foundation's locks).
final class NSLockLike: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }
  func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return body()
  }
}

/// A table of append-only lists (a lot's events, a field's events): new items are kept apart
/// from the stored ones, so saving writes only what was added, never the whole list again.
public struct MultiTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  /// Reads the stored list of a key; nil for a purely in-memory table.
  public typealias Loader = @Sendable (Key) -> [Value]

  private var added: [Key: [Value]] = [:]
  private let loader: Loader?

  public init(loader: Loader? = nil) { self.loader = loader }

  /// The stored items, then those added since.
  public subscript(key: Key) -> [Value] {
    (loader?(key) ?? []) + (added[key] ?? [])
  }

  public mutating func append(_ value: Value, to key: Key) { added[key, default: []].append(value) }

  /// Items added in memory (every item, for an in-memory table).
  public var changes: [Key: [Value]] { added }

  public mutating func markPersisted() { if loader != nil { added.removeAll(keepingCapacity: true) } }
}
