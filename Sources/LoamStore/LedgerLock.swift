import Glibc

/// The advisory write lock of a ledger directory (`flock` on its `lock` file). Only writers take
/// it; readers never block. The kernel drops it when the process dies, so a killed writer never
/// leaves a stale lock.
final class LedgerLock {
  private let descriptor: Int32

  /// Waits up to `timeout` seconds for the lock.
  init(path: String, timeout: Double) throws {
    descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw FileIO.ioError("opening the lock file", path) }
    var waited = 0.0
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      guard code == EWOULDBLOCK || code == EINTR else {
        close(descriptor)
        throw FileIO.ioError("locking", path, code)
      }
      guard waited < timeout else {
        close(descriptor)
        throw StoreError(.locked, "the ledger is locked by another writer (\(path)); try again when it has finished")
      }
      usleep(10_000)
      waited += 0.01
    }
  }

  deinit {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
