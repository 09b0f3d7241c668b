import Dispatch

/// Lets another thread free `value`: a large batch's parsed statements, or a whole replay's state,
/// takes from milliseconds to seconds to free, which the caller need not wait for. Pass the last
/// reference (`consume` it), or the caller's own release still frees it.
///
/// The value is moved into a box whose one reference is handed over, so this thread keeps no
/// reference that the other thread's release could outrun (holding a copy until the call returned
/// left the last release, and the whole free, to this thread whenever the other thread was quick).
public func freeElsewhere<T: Sendable>(_ value: consuming T) {
  let box = Unmanaged.passRetained(Held(value))
  DispatchQueue.global().async { box.release() }
}

private final class Held<T: Sendable>: Sendable {
  let value: T
  init(_ value: consuming T) { self.value = value }
}
