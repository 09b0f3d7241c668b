import Dispatch

/// Lets another thread free `value`: a large batch's parsed statements, or a whole replay's state,
/// takes from milliseconds to seconds to free, which the caller need not wait for. Pass the last
/// reference (`consume` it), or the caller's own release still frees it.
func freeElsewhere<T: Sendable>(_ value: consuming T) {
  let held = value
  DispatchQueue.global().async { withExtendedLifetime(held) {} }
}
