import Glibc
import LoamCore
import Testing

/// A `Table` over a backing store reads each row from the store at most once while it is
/// unchanged, whether the store holds it or not, and reads a row again once its change was
/// written there.
@Suite struct TableTests {
  /// A backing store that counts its reads.
  final class Store: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private var rows: [String: Int] = [:]
    private var reads: [String: Int] = [:]
    private var lock = pthread_mutex_t()
    init(_ rows: [String: Int]) {
      self.rows = rows
      pthread_mutex_init(&lock, nil)
    }
    func locked<T>(_ body: () -> T) -> T {
      pthread_mutex_lock(&lock)
      defer { pthread_mutex_unlock(&lock) }
      return body()
    }
    func read(_ key: String) -> Int? {
      locked {
        reads[key, default: 0] += 1
        return rows[key]
      }
    }
    func write(_ changes: [String: Int?]) { locked { for (key, value) in changes { rows[key] = value } } }
    func reads(of key: String) -> Int { locked { reads[key] ?? 0 } }
  }

  @Test func aMissingRowIsReadOnceUntilItIsWritten() {
    let store = Store(["a": 1])
    var table = Table<String, Int>(loader: { store.read($0) })
    #expect(table["new"] == nil)
    #expect(table["new"] == nil)
    #expect(store.reads(of: "new") == 1)
    #expect(table["a"] == 1)
    #expect(table["a"] == 1)
    #expect(store.reads(of: "a") == 1)

    // Created, then written out: the store serves it from then on.
    table["new"] = 7
    #expect(table["new"] == 7)
    store.write(table.changes)
    table.markPersisted()
    #expect(table.changes.isEmpty)
    #expect(table["new"] == 7)
    #expect(store.reads(of: "new") == 2)
    #expect(table["new"] == 7)
    #expect(store.reads(of: "new") == 2)

    // A cached row that changes is cached with its new value.
    table["a"] = 2
    store.write(table.changes)
    table.markPersisted()
    #expect(table["a"] == 2)
    #expect(store.reads(of: "a") == 1)

    // A copy taken before shares what was read.
    let copy = table
    #expect(copy["other"] == nil)
    #expect(table["other"] == nil)
    #expect(store.reads(of: "other") == 1)
  }
}
